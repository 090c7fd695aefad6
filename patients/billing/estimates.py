"""What a Good Faith Estimate says, as a pure function of the rows it is given (45 CFR 149.610(c);
docs/domain.md "Cash pay"). The result is JSON-safe and is frozen into the estimate's row: the PDF
is rendered from it, never from the live rows again.

The practice is the convening provider. The pharmacy that compounds the medicine is a co-provider
whose expected charge the estimate includes; it lives in ``prescriptions``, which imports this
app and not the other way round, so it registers two sources here in ``AppConfig.ready``:

- :func:`register_diagnosis_source`: ``fn(patient, *, on=None, self_reported=True) ->
  [DiagnosisCode | (icd10_code, text), …]``, the diagnosis codes known for the patient: the ones
  that applied on the date ``on`` (today's when None), and, when ``self_reported``, codes that
  only the patient's own intake suggests (marked ``self_reported``; never on a claim document);
- :func:`register_related_items_source`: ``fn(patient) -> [co_provider, …]``, each
  ``{"provider": {"name", "npi", "tin", "address_lines"}, "items": [{"description",
  "low_cents", "high_cents", "note"}]}``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

from django.utils import timezone

from patients.billing.business_days import billing_date
from patients.models import Appointment, Fee, FeeSchedule, GoodFaithEstimate, Patient, VisitType
from portal.models import US_STATE_NAMES


class DiagnosisCode(NamedTuple):
    """One ICD-10-CM code a diagnosis source knows. ``self_reported``: suggested only by a
    condition the patient reported at intake, not recorded by a physician."""

    code: str
    text: str
    self_reported: bool = False


class DiagnosisSource(Protocol):
    def __call__(
        self, patient: Patient, *, on: dt.date | None = None, self_reported: bool = True
    ) -> Iterable[DiagnosisCode | tuple[str, str]]: ...


RelatedItemsSource = Callable[[Patient], list[dict]]

_diagnosis_sources: list[DiagnosisSource] = []
_related_items_sources: list[RelatedItemsSource] = []

# Where a patient learns how to dispute a bill that exceeds the estimate (the federal
# patient-provider dispute resolution process, 45 CFR 149.620).
DISPUTE_WEBSITE = "www.cms.gov/nosurprises"
DISPUTE_PHONE = "1-800-985-3059"
# A bill at least this much above one provider's estimate may be disputed.
DISPUTE_THRESHOLD_CENTS = 40_000
DISPUTE_WINDOW_DAYS = 120


def register_diagnosis_source(source: DiagnosisSource) -> None:
    """Called once by ``prescriptions`` in ``AppConfig.ready`` (idempotent)."""
    if source not in _diagnosis_sources:
        _diagnosis_sources.append(source)


def register_related_items_source(source: RelatedItemsSource) -> None:
    """Called once by ``prescriptions`` in ``AppConfig.ready`` (idempotent)."""
    if source not in _related_items_sources:
        _related_items_sources.append(source)


def diagnoses_of(patient: Patient, *, on: dt.date | None = None, self_reported: bool = True) -> list[dict]:
    """The diagnosis codes the registered sources know, each code once, in the order given: those
    that applied on the date ``on`` (today's when None). ``self_reported=False`` leaves out codes
    that only the patient's intake suggests, as a claim document (a superbill) must."""
    seen: dict[str, DiagnosisCode] = {}
    for source in _diagnosis_sources:
        for entry in source(patient, on=on, self_reported=self_reported):
            diagnosis = DiagnosisCode(*entry)
            if diagnosis.self_reported and not self_reported:
                continue
            seen.setdefault(diagnosis.code, diagnosis)
    return [
        {"code": diagnosis.code, "text": diagnosis.text, "from_intake": diagnosis.self_reported}
        for diagnosis in seen.values()
    ]


def co_providers_of(patient: Patient) -> list[dict]:
    """The co-providers' items the registered sources expect (the pharmacy's medicine)."""
    co_providers = []
    for source in _related_items_sources:
        for entry in source(patient):
            provider = entry["provider"]
            items = [
                {
                    "description": str(item["description"]),
                    "service_code": str(item.get("service_code", "")),
                    "modifier": "",
                    "place_of_service": "",
                    "low_cents": int(item["low_cents"]),
                    "high_cents": int(item["high_cents"]),
                    "note": str(item.get("note", "")),
                }
                for item in entry["items"]
            ]
            if not items:
                continue
            co_providers.append(
                {
                    "role": "co-provider",
                    "name": str(provider["name"]),
                    "npi": str(provider.get("npi") or ""),
                    "tin": str(provider.get("tin") or ""),
                    "address_lines": [str(line) for line in provider.get("address_lines", [])],
                    "phone": str(provider.get("phone") or ""),
                    "locations": [str(line) for line in provider.get("locations", [])],
                    "items": items,
                    "total_low_cents": sum(item["low_cents"] for item in items),
                    "total_high_cents": sum(item["high_cents"] for item in items),
                }
            )
    return co_providers


def patient_identity(patient: Patient, *, with_address: bool = False) -> dict:
    """The patient as a billing document names them (JSON-safe)."""
    identity = {
        "name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
    }
    if with_address:
        identity["address_lines"] = patient.address_lines
    return identity


def service_code_with_modifier(fee: Fee, schedule: FeeSchedule) -> str:
    """The CPT code as billed: ``99204-95`` with the telehealth modifier, ``99204`` without."""
    return f"{fee.service_code}-{schedule.telehealth_modifier}" if schedule.telehealth_modifier else fee.service_code


def _practice_item(fee: Fee, schedule: FeeSchedule, *, diagnosis_codes: list[str], note: str) -> dict:
    return {
        "description": fee.description,
        "service_code": fee.service_code,
        "modifier": schedule.telehealth_modifier,
        "billed_code": service_code_with_modifier(fee, schedule),
        "place_of_service": schedule.place_of_service,
        "place_of_service_label": schedule.get_place_of_service_display(),
        "diagnosis_codes": diagnosis_codes,
        "low_cents": fee.amount_cents,
        "high_cents": fee.amount_cents,
        "note": note,
    }


def _patient_state(patient: Patient, appointment: Appointment | None) -> tuple[str, str]:
    # A video visit is furnished where the patient is during it: the state they gave when booking,
    # else the state they live in.
    state = appointment.location_state if appointment is not None else patient.state
    if state is None:
        return "", ""
    return state.code, state.name or US_STATE_NAMES.get(state.code, state.code)


def patient_local(patient: Patient, moment: dt.datetime) -> dt.datetime:
    """``moment`` on the patient's clock: a visit's date on a document is the day the patient had
    the visit, even when the practice's office was already in the next day."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(patient.time_zone_name))


def _local_time_text(local: dt.datetime) -> str:
    return f"{local:%A, %B} {local.day}, {local.year} at {local:%I:%M %p %Z}".replace(" 0", " ")


def estimate_content(
    *,
    number: str,
    patient: Patient,
    schedule: FeeSchedule,
    visit_type: VisitType,
    appointment: Appointment | None,
    reason: str,
    requested_at: dt.datetime,
    due_on: dt.date | None,
    issued_at: dt.datetime,
) -> dict:
    """Every element 45 CFR 149.610(c) asks of an estimate, for the visit ``appointment`` (or, when
    the patient asked without booking, the ``visit_type`` they would book next), priced by
    ``schedule``. Raises ValueError when the schedule has no price for the visit type."""
    fees = {fee.visit_type.kind: fee for fee in schedule.fees.select_related("visit_type")}
    primary_fee = fees.get(visit_type.kind)
    if primary_fee is None:
        raise ValueError("the fee schedule has no price for this kind of visit")
    diagnoses = diagnoses_of(patient)
    diagnosis_codes = [diagnosis["code"] for diagnosis in diagnoses]
    state_code, state_name = _patient_state(patient, appointment)

    if appointment is not None:
        # The date and time the patient reads, on their own clock (deadlines are counted in the
        # billing time zone; business_days.py).
        starts_local = patient_local(patient, appointment.starts_at)
        service_on, service_time = starts_local.date(), _local_time_text(starts_local)
    else:
        service_on, service_time = None, ""

    practice_items = [_practice_item(primary_fee, schedule, diagnosis_codes=diagnosis_codes, note="")]
    telehealth_location = (
        f"By secure video, with the patient in {state_name} ({state_code})"
        if state_code
        else "By secure video, with the patient in a state the practice serves"
    )
    practice = {
        "role": "convening provider",
        **schedule.billing_identity(),
        "locations": [telehealth_location, "Office: " + ", ".join(schedule.address_lines)],
        "states": [state_code] if state_code else [],
        "items": practice_items,
        "total_low_cents": sum(item["low_cents"] for item in practice_items),
        "total_high_cents": sum(item["high_cents"] for item in practice_items),
    }
    providers = [practice, *co_providers_of(patient)]

    # Visits after this one are booked, and estimated, separately: follow-ups after the start and
    # after each dose change, then every three months (docs/domain.md "Follow-ups").
    follow_up_fee = fees.get(VisitType.Kind.FOLLOW_UP)
    separately_scheduled = []
    if follow_up_fee is not None:
        separately_scheduled.append(
            {
                "description": follow_up_fee.description,
                "billed_code": service_code_with_modifier(follow_up_fee, schedule),
                "provider": schedule.legal_name,
                "amount_cents": follow_up_fee.amount_cents,
                "when": "Usually 1 to 4 weeks after starting treatment and after each dose change, "
                "then about every three months while treatment continues.",
            }
        )

    total_low = sum(provider["total_low_cents"] for provider in providers)
    total_high = sum(provider["total_high_cents"] for provider in providers)
    return {
        "document": "good_faith_estimate",
        "number": number,
        "issued_on": billing_date(issued_at).isoformat(),
        "reason": reason,
        "reason_label": GoodFaithEstimate.Reason(reason).label,
        "requested_on": billing_date(requested_at).isoformat(),
        "due_on": due_on.isoformat() if due_on else None,
        "patient": patient_identity(patient),
        "primary_service": {
            "description": primary_fee.description,
            "visit_type": visit_type.name,
            "duration_minutes": visit_type.duration_minutes,
            "billed_code": service_code_with_modifier(primary_fee, schedule),
            "service_on": service_on.isoformat() if service_on else None,
            "service_time": service_time,
            "scheduled": appointment is not None,
        },
        "diagnoses": diagnoses,
        "providers": providers,
        "total_low_cents": total_low,
        "total_high_cents": total_high,
        "separately_scheduled": {
            "items": separately_scheduled,
            "disclaimer": (
                "The items below are not part of this estimate: each is scheduled separately, and you "
                "will receive a separate Good Faith Estimate for it when it is booked. You can also ask "
                "for one at any time on the Prices page of the patient portal or by calling "
                f"{schedule.phone}."
            ),
        },
        "cancellation_policy": schedule.cancellation_policy,
        "cancellation_notice_hours": schedule.cancellation_notice_hours,
        "payment_timing": schedule.get_payment_timing_display(),
        "disclaimers": disclaimers(schedule),
    }


def disclaimers(schedule: FeeSchedule) -> list[dict]:
    """The notices every estimate carries, in the practice's own words."""
    threshold = f"${DISPUTE_THRESHOLD_CENTS // 100:,}"
    return [
        {
            "title": "Other care may be recommended",
            "text": (
                "Your physician may recommend more items or services as part of your care. Those must "
                "be scheduled or requested separately and are not included in this estimate."
            ),
        },
        {
            "title": "This is an estimate",
            "text": (
                "This estimate covers only the items and services reasonably expected when it was "
                "issued. The items, services and charges you actually receive may be different."
            ),
        },
        {
            "title": "Your right to dispute a bill",
            "text": (
                f"If you are billed {threshold} or more above this estimate for any one provider or "
                "facility listed here, you have the right to start the federal patient-provider "
                "dispute resolution process, generally within "
                f"{DISPUTE_WINDOW_DAYS} calendar days of the date on that bill. To learn how, visit "
                f"{DISPUTE_WEBSITE} or call {DISPUTE_PHONE}. Starting a dispute will not affect the "
                "quality of the care you receive from us."
            ),
        },
        {
            "title": "Keep a copy",
            "text": "Save this estimate (or a picture of it) and your bill: you will need both to dispute a bill.",
        },
        {
            "title": "Not a contract",
            "text": (
                "This estimate is not a contract. It does not oblige you to obtain any of the items or "
                "services listed from any provider or facility named in it."
            ),
        },
    ]
