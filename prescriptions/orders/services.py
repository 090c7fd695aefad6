"""Prescription orders: drafting from a plan, signing (freeze + route), every status change, and
refill requests (docs/domain.md "Prescription orders")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Intake, Patient
from portal.access import licensure_day, physician_license_in
from portal.hashing import content_digest, utc_stamp
from portal.mfa import totp_code_valid
from portal.models import US_STATE_NAMES, User
from portal.reminders import portal_update_notify
from prescriptions.dosing import (
    Quantity,
    fmt_amount,
    quantity_for,
    sig_for,
    suggested_capsule_strength,
    supply_segments,
)
from prescriptions.fax.services import fax_transmission_queue
from prescriptions.models import (
    DRUG_NAME,
    CompoundingRecord,
    Filler,
    Formulation,
    OrderEvent,
    OrderStatus,
    OrderVerification,
    PharmacyMembership,
    PrescriptionOrder,
    TitrationPlan,
)
from prescriptions.orders.icd10 import validate_icd10_code
from prescriptions.orders.reminders import refill_reminder_schedule
from prescriptions.orders.shipping import tracking_number_validate
from prescriptions.pharmacies import notifications as pharmacy_notifications
from prescriptions.pharmacies.services import pharmacy_route, pharmacy_route_explained, service_state_require
from prescriptions.plans.services import (
    intake_require_cleared,
    physician_require_role,
    physician_require_scope,
    plan_mark_arrived,
)

S = OrderStatus
PHYSICIAN, PHARMACY = User.Role.PHYSICIAN, User.Role.PHARMACY

DEFAULT_DAYS_SUPPLY, MIN_DAYS_SUPPLY, MAX_DAYS_SUPPLY = 30, 7, 90
MAX_REFILLS = 5
DEFAULT_CONCENTRATION = Decimal("1.0")
MIN_CONCENTRATION, MAX_CONCENTRATION = Decimal("0.5"), Decimal("5.0")
MIN_CAPSULE_MG, MAX_CAPSULE_MG = Decimal("0.25"), Decimal("9.0")

# Fillers refused for LDN, with the reason shown to the physician (docs/domain.md "Prescription orders").
REFUSED_FILLERS = {
    Filler.CALCIUM_CARBONATE: "Calcium carbonate is not used as a filler for LDN: it can interfere with how "
    "naltrexone is absorbed. Use microcrystalline cellulose.",
    Filler.SLOW_RELEASE: "Slow-release fillers are not used for LDN: it works through a short nightly opioid "
    "blockade, which a slow release would blur. Use an immediate-release filler such as microcrystalline cellulose.",
}

SIGN_ATTEMPTS_LIMIT, SIGN_ATTEMPTS_WINDOW = 5, 300


# --- content and its hash ---------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def order_content(order: PrescriptionOrder) -> dict[str, Any]:
    """Everything the signature covers, as plain JSON values. Status, tracking and timestamps of
    later events are not content: they change as the pharmacy works."""
    signed_at = utc_stamp(order.signed_at)
    return {
        "order": order.pk,
        "plan": order.plan_id,
        "drug": DRUG_NAME,
        "formulation": order.formulation,
        "dosing_time": order.dosing_time,
        "capsule_strength_mg": _dec(order.capsule_strength_mg),
        "filler": order.filler,
        "concentration_mg_per_ml": _dec(order.concentration_mg_per_ml),
        "supply_start": order.supply_start.isoformat(),
        "days_supply": order.days_supply,
        "quantity": _dec(order.quantity),
        "quantity_unit": order.quantity_unit,
        "dose_segments": order.dose_segments,
        "sig": order.sig,
        "refills": order.refills,
        "indication": {"code": order.indication_code, "text": order.indication_text},
        "patient": {
            "id": order.patient_id,
            "name": order.patient_name,
            "dob": order.patient_dob.isoformat() if order.patient_dob else None,
            "phone": order.patient_phone,
            "address": order.patient_address,
            "allergies": order.patient_allergies,
            # Orders signed before medicines were copied keep the content (and hash) they had.
            **({"medications": order.patient_medications} if order.patient_medications else {}),
        },
        "prescriber": {
            "id": order.prescriber_id,
            "name": order.prescriber_name,
            "npi": order.prescriber_npi,
            "license_number": order.prescriber_license_number,
            "license_state": order.prescriber_license_state,
        },
        "ship_to": {
            "name": order.ship_to_name,
            "line1": order.ship_to_line1,
            "line2": order.ship_to_line2,
            "city": order.ship_to_city,
            "state": order.ship_to_state,
            "postal_code": order.ship_to_postal_code,
        },
        "pharmacy": order.pharmacy_id,
        "signed_at": signed_at,
    }


def order_content_hash(order: PrescriptionOrder) -> str:
    return content_digest(order_content(order))


def order_content_intact(order: PrescriptionOrder) -> bool:
    """True while a signed order's content still matches the hash taken at signing."""
    return bool(order.content_hash) and order.content_hash == order_content_hash(order)


# --- drafting --------------------------------------------------------------------------------


def _validate_formulation_fields(
    formulation: str, *, capsule_strength_mg: Decimal | None, filler: str, concentration_mg_per_ml: Decimal | None
) -> None:
    if formulation == Formulation.CAPSULE:
        if filler in REFUSED_FILLERS:
            raise ValidationError({"filler": REFUSED_FILLERS[filler]})
        if filler not in Filler.values:
            raise ValidationError({"filler": "Choose a filler."})
        if capsule_strength_mg is None or not MIN_CAPSULE_MG <= capsule_strength_mg <= MAX_CAPSULE_MG:
            limits = f"{fmt_amount(MIN_CAPSULE_MG)} to {fmt_amount(MAX_CAPSULE_MG)} mg"
            raise ValidationError({"capsule_strength_mg": f"Capsules hold {limits}."})
    elif concentration_mg_per_ml is None or not MIN_CONCENTRATION <= concentration_mg_per_ml <= MAX_CONCENTRATION:
        raise ValidationError(
            {
                "concentration_mg_per_ml": f"Use a concentration from {fmt_amount(MIN_CONCENTRATION)} to "
                f"{fmt_amount(MAX_CONCENTRATION)} mg/mL (1 mg/mL is usual)."
            }
        )


def _compute(order: PrescriptionOrder, plan: TitrationPlan) -> None:
    """Segments, quantity and sig from the plan, through ``dose_on``."""
    strength = order.capsule_strength_mg if order.is_capsule else order.concentration_mg_per_ml
    segments = supply_segments(plan, start=order.supply_start, days=order.days_supply)
    quantity = quantity_for(segments, formulation=order.formulation, strength=strength)
    order.dose_segments = [s.as_json() for s in segments]
    order.quantity = quantity.total
    order.quantity_unit = quantity.unit
    order.sig = sig_for(segments, formulation=order.formulation, strength=strength, dosing_time=order.dosing_time)


def order_sign_preview(order: PrescriptionOrder) -> dict[str, Any]:
    """What the prescriber reads above the signature: the patient's allergies and other medicines
    as they stand now, and the pharmacy the order will go to and why (or why none can)."""
    patient = order.patient
    intake = Intake.objects.filter(patient=patient).first()
    try:
        route = pharmacy_route_explained(
            patient=patient, ship_to_state=order.ship_to_state, day=licensure_day(patient.state)
        )
        route_problem = ""
    except ValidationError as exc:
        route, route_problem = None, " ".join(exc.messages)
    return {
        "preview_allergies": intake.allergies_summary if intake else "Not stated",
        "preview_medicines": intake.medicines_summary if intake else "None stated",
        "preview_route": route,
        "preview_route_problem": route_problem,
    }


def _refuse_refills_on_titration(order: PrescriptionOrder) -> None:
    """A supply whose dose changes (titration steps) cannot be refilled as written: a refill would
    repeat the steps from the start (docs/domain.md "Prescription orders")."""
    doses = []
    for segment in order.dose_segments:
        mg = Decimal(str(segment["dose_mg"]))
        if not doses or doses[-1] != mg:
            doses.append(mg)
    if order.refills and len(doses) > 1:
        steps = " → ".join(f"{fmt_amount(mg)} mg" for mg in doses)
        raise ValidationError(
            {
                "refills": f"This supply covers titration steps ({steps}): a refill would repeat them from the "
                "start, so a titration order has no refills. Set refills to 0; an order for the maintenance dose "
                "can carry refills."
            }
        )


def order_quantity(order: PrescriptionOrder) -> Quantity:
    """The arithmetic behind an order's quantity, for display."""
    return order.quantity_breakdown()


def ship_to_from_patient(patient: Patient) -> dict[str, str]:
    return {
        "ship_to_name": patient.full_name,
        "ship_to_line1": patient.address_line1,
        "ship_to_line2": patient.address_line2,
        "ship_to_city": patient.city,
        "ship_to_state": patient.state.code if patient.state_id else "",
        "ship_to_postal_code": patient.postal_code,
    }


def _apply_fields(order: PrescriptionOrder, fields: dict[str, Any]) -> None:
    for name in (
        "capsule_strength_mg",
        "filler",
        "concentration_mg_per_ml",
        "supply_start",
        "days_supply",
        "refills",
        "indication_code",
        "indication_text",
        "ship_to_name",
        "ship_to_line1",
        "ship_to_line2",
        "ship_to_city",
        "ship_to_state",
        "ship_to_postal_code",
    ):
        if name in fields and fields[name] is not None:
            setattr(order, name, fields[name])
    if order.is_capsule:
        order.concentration_mg_per_ml = None
        order.filler = order.filler or Filler.MICROCRYSTALLINE_CELLULOSE
    else:
        order.capsule_strength_mg, order.filler = None, ""
        order.concentration_mg_per_ml = order.concentration_mg_per_ml or DEFAULT_CONCENTRATION


def _validate_draft(order: PrescriptionOrder) -> None:
    _validate_formulation_fields(
        order.formulation,
        capsule_strength_mg=order.capsule_strength_mg,
        filler=order.filler,
        concentration_mg_per_ml=order.concentration_mg_per_ml,
    )
    if not MIN_DAYS_SUPPLY <= order.days_supply <= MAX_DAYS_SUPPLY:
        raise ValidationError({"days_supply": f"A supply covers {MIN_DAYS_SUPPLY} to {MAX_DAYS_SUPPLY} days."})
    if not 0 <= order.refills <= MAX_REFILLS:
        raise ValidationError({"refills": f"Allow 0 to {MAX_REFILLS} refills."})
    order.indication_code = validate_icd10_code(order.indication_code)
    if not order.indication_text.strip():
        raise ValidationError({"indication_text": "Describe the indication (e.g. Fibromyalgia)."})
    missing = [
        label
        for label, value in (
            ("name", order.ship_to_name),
            ("street address", order.ship_to_line1),
            ("city", order.ship_to_city),
            ("ZIP code", order.ship_to_postal_code),
        )
        if not value.strip()
    ]
    if missing:
        raise ValidationError({"ship_to_line1": "The ship-to address needs a " + ", ".join(missing) + "."})
    if order.ship_to_state not in US_STATE_NAMES:
        raise ValidationError({"ship_to_state": "Choose the ship-to state."})
    service_state_require(order.ship_to_state)


def _require_current_plan(plan: TitrationPlan) -> None:
    if not plan.is_current:
        raise ValidationError(
            "This plan version has been replaced. Cancel this draft and draft a new order from the current plan.",
            code="stale_plan",
        )
    if plan.is_paused:
        raise ValidationError(
            f"The plan is {plan.get_pause_kind_display().lower()} ({plan.pause_reason}): resume it before an order "
            "is drafted or signed.",
            code="paused_plan",
        )


@transaction.atomic
def order_draft_create(
    *,
    plan: TitrationPlan,
    physician: User,
    indication_code: str,
    indication_text: str,
    capsule_strength_mg: Decimal | None = None,
    filler: str = Filler.MICROCRYSTALLINE_CELLULOSE,
    concentration_mg_per_ml: Decimal | None = None,
    supply_start: dt.date | None = None,
    days_supply: int = DEFAULT_DAYS_SUPPLY,
    refills: int = 0,
    ship_to: dict[str, str] | None = None,
    refill_of: PrescriptionOrder | None = None,
) -> PrescriptionOrder:
    """Draft an order from a plan: quantity, days supply and sig are computed from the plan."""
    patient = Patient.objects.select_related("state", "user").get(pk=plan.patient_id)
    physician_require_scope(physician=physician, patient=patient)
    plan = TitrationPlan.objects.prefetch_related("steps").get(pk=plan.pk)
    _require_current_plan(plan)
    intake_require_cleared(patient=patient, override_reason=plan.screening_override_reason)
    today = patient.today()
    order = PrescriptionOrder(
        patient=patient,
        plan=plan,
        formulation=plan.formulation,
        dosing_time=plan.dosing_time,
        prescriber=physician,
        created_by=physician,
        refill_of=refill_of,
        supply_start=supply_start or max(plan.start_date, today),
        days_supply=days_supply,
    )
    fields = {
        "capsule_strength_mg": capsule_strength_mg,
        "filler": filler,
        "concentration_mg_per_ml": concentration_mg_per_ml,
        "refills": refills,
        "indication_code": indication_code,
        "indication_text": indication_text,
        **ship_to_from_patient(patient),
        **(ship_to or {}),
    }
    _apply_fields(order, fields)
    if order.supply_start < today:
        raise ValidationError({"supply_start": "A new supply cannot start in the past."})
    _validate_draft(order)
    _compute(order, plan)
    _refuse_refills_on_titration(order)
    order.save()
    return order


@transaction.atomic
def order_draft_update(*, order: PrescriptionOrder, physician: User, **fields: Any) -> PrescriptionOrder:
    """Change a draft. A signed order is frozen: any edit is refused."""
    physician_require_scope(physician=physician, patient=order.patient)
    order = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != S.DRAFT:
        raise ValidationError(
            "This order is signed and its content is frozen. Cancel it and draft a new one to change it.",
            code="frozen",
        )
    plan = TitrationPlan.objects.prefetch_related("steps").get(pk=order.plan_id)
    _require_current_plan(plan)
    _apply_fields(order, fields)
    if "supply_start" in fields and order.supply_start < order.patient.today():
        raise ValidationError({"supply_start": "A new supply cannot start in the past."})
    _validate_draft(order)
    _compute(order, plan)
    _refuse_refills_on_titration(order)
    order.save()
    return order


def default_capsule_strength(plan: TitrationPlan, *, start: dt.date, days: int) -> Decimal | None:
    segments = supply_segments(plan, start=start, days=days)
    return suggested_capsule_strength(s.dose_mg for s in segments)


# --- signing ---------------------------------------------------------------------------------


def _reauthenticate(physician: User, *, password: str, otp_code: str) -> None:
    """Signing asks again for the password or a current TOTP code (docs/domain.md "Prescription orders")."""
    key = f"prescriptions:sign-failures:{physician.pk}"
    if cache.get(key, 0) >= SIGN_ATTEMPTS_LIMIT:
        raise ValidationError("Too many wrong passwords or codes. Wait five minutes, then try again.", code="locked")
    if password:
        ok = physician.check_password(password)
    elif otp_code:
        ok = totp_code_valid(physician, otp_code)
    else:
        raise ValidationError(
            {"password": "Enter your password or the code from your authenticator app to sign."}, code="reauth"
        )
    if not ok:
        cache.add(key, 0, SIGN_ATTEMPTS_WINDOW)
        cache.incr(key)
        raise ValidationError(
            {"password": "That password or code is not right. The order was not signed."}, code="reauth"
        )
    cache.delete(key)


@transaction.atomic
def order_sign(
    *, order: PrescriptionOrder, physician: User, password: str = "", otp_code: str = "", deliver: bool = True
) -> PrescriptionOrder:
    """Sign a draft: check every rule, re-authenticate, copy the patient, prescriber and pharmacy
    onto the order, freeze its content with a hash, and deliver it to the pharmacy's workspace
    (unless ``deliver`` is False: "sign now, send after the visit"; it is sent later with
    ``order_transition(to="sent")``)."""
    physician_require_role(physician)
    # The license in the patient's state is checked below, with the day and the state named.
    order = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != S.DRAFT:
        raise ValidationError("This order is already signed.", code="frozen")
    patient = Patient.objects.select_related("state", "user", "intake").get(pk=order.patient_id)
    plan = TitrationPlan.objects.prefetch_related("steps").get(pk=order.plan_id)
    _require_current_plan(plan)
    # The supply's first day is the first dose this order covers: the washout holds at signing too.
    intake = intake_require_cleared(
        patient=patient,
        override_reason=plan.screening_override_reason,
        first_dose_on=order.supply_start,
        field="supply_start",
    )
    # The signing day is the date in the patient's state: the prescription is issued into it.
    day = licensure_day(patient.state)
    license_ = physician_license_in(physician, patient.state)
    if license_ is None:
        raise ValidationError(
            f"You hold no license active today ({day:%B %-d, %Y}) in {patient.state.name}, where the patient "
            "lives, so you cannot sign this order.",
            code="license",
        )
    if not physician.npi:
        raise ValidationError("Your NPI is not on file. Ask practice staff to add it before you sign.", code="npi")
    if order.supply_start < day:
        passed = f"The supply would start on {order.supply_start:%B %-d}, which has passed. Edit the draft."
        raise ValidationError({"supply_start": passed})
    _validate_draft(order)
    _compute(order, plan)
    _refuse_refills_on_titration(order)
    pharmacy = pharmacy_route(patient=patient, ship_to_state=order.ship_to_state, day=day)
    _reauthenticate(physician, password=password, otp_code=otp_code)

    order.patient_name = patient.full_name
    order.patient_dob = patient.date_of_birth
    order.patient_phone = patient.phone
    order.patient_address = "\n".join(patient.address_lines)
    order.patient_allergies = intake.allergies_summary
    order.patient_medications = intake.medicines_summary
    order.prescriber = physician
    order.prescriber_name = physician.display_name
    order.prescriber_npi = physician.npi
    order.prescriber_license_number = license_.number
    order.prescriber_license_state = patient.state.code
    order.pharmacy = pharmacy
    order.signed_at = timezone.now()
    order.content_hash = order_content_hash(order)
    order.save()
    order = order_transition(order=order, actor=physician, to=S.SIGNED, note="Signed after re-authentication.")
    if not deliver:
        return order
    # The portal is the delivery channel (the pharmacy's workspace lists it from now on), or the
    # fax for a pharmacy outside the portal (docs/domain.md "Orders by fax").
    note = f"Queued for fax to {pharmacy.name}." if pharmacy.receives_fax else f"Delivered to {pharmacy.name}."
    return order_transition(order=order, actor=physician, to=S.SENT, note=note)


# --- status changes ----------------------------------------------------------------------------

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SIGNED): PHYSICIAN,
    (S.SIGNED, S.SENT): PHYSICIAN,
    (S.SENT, S.RECEIVED): PHARMACY,
    (S.RECEIVED, S.IN_REVIEW): PHARMACY,
    (S.IN_REVIEW, S.NEEDS_CLARIFICATION): PHARMACY,
    (S.NEEDS_CLARIFICATION, S.IN_REVIEW): PHYSICIAN,
    (S.IN_REVIEW, S.COMPOUNDING): PHARMACY,
    (S.COMPOUNDING, S.SHIPPED): PHARMACY,
    (S.SHIPPED, S.DELIVERED): PHARMACY,
    **{(s, S.REJECTED): PHARMACY for s in (S.SENT, S.RECEIVED, S.IN_REVIEW, S.NEEDS_CLARIFICATION)},
    # A physician may cancel until compounding starts (docs/domain.md "Prescription orders").
    **{
        (s, S.CANCELLED): PHYSICIAN for s in (S.DRAFT, S.SIGNED, S.SENT, S.RECEIVED, S.IN_REVIEW, S.NEEDS_CLARIFICATION)
    },
}

NOTE_REQUIRED: dict[tuple[str | None, str], str] = {
    (None, S.NEEDS_CLARIFICATION): "Write the question for the physician.",
    (S.NEEDS_CLARIFICATION, S.IN_REVIEW): "Write your answer for the pharmacist.",
    (None, S.REJECTED): "Say why the order is rejected.",
}

# What the patient is told about (by a content-free email): the steps of their timeline.
NOTIFY_PATIENT = {S.SENT, S.COMPOUNDING, S.SHIPPED, S.DELIVERED, S.REJECTED, S.CANCELLED}


def allowed_next(status: str, role: str) -> list[str]:
    """The statuses ``role`` may move an order in ``status`` to (for the pages' buttons)."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who == role]


def _label(status: str) -> str:
    return str(OrderStatus(status).label).lower()


def _require_actor_scope(order: PrescriptionOrder, actor: User) -> None:
    if actor.role == PHYSICIAN:
        patient = Patient.objects.select_related("state").filter(pk=order.patient_id).first()
        if patient is None or physician_license_in(actor, patient.state) is None:
            raise PermissionDenied("You need an active license in the patient's state to act on this order.")
    elif actor.role == PHARMACY:
        member = PharmacyMembership.objects.filter(user=actor, pharmacy_id=order.pharmacy_id, pharmacy__active=True)
        if not member.exists():
            raise PermissionDenied("This order was not sent to your pharmacy.")


def order_actor_require_scope(order: PrescriptionOrder, actor: User) -> None:
    """PermissionDenied unless ``actor`` may act on ``order`` (licensed physician, or staff of the
    order's pharmacy)."""
    _require_actor_scope(order, actor)


def _require_pharmacy_records(locked: PrescriptionOrder, current: str, to: str) -> None:
    """Compounding starts only after the pharmacist's verification, made since the order last came
    into review (a question answered after it asks for a new one); shipping only with a compounding
    record (docs/domain.md "Verification and the compounding record")."""
    if (current, to) == (S.IN_REVIEW, S.COMPOUNDING):
        verified = OrderVerification.objects.filter(order=locked, verified_at__gte=locked.status_changed_at)
        if not verified.exists():
            raise ValidationError(
                "Complete the verification checklist before compounding starts.", code="verification_required"
            )
    if (current, to) == (S.COMPOUNDING, S.SHIPPED):
        # The newest record is the order's record (a correction replaces the one before it).
        record = CompoundingRecord.objects.filter(order=locked).order_by("-recorded_at", "-id").first()
        if record is None:
            raise ValidationError(
                "Record the compounding (lot number, beyond-use date, who compounded and who checked) before shipping.",
                code="compounding_record_required",
            )
        if record.beyond_use_date <= timezone.localdate():
            raise ValidationError(
                f"Lot {record.lot_number} reaches its beyond-use date on {record.beyond_use_date:%B %-d, %Y}: it "
                "would be out of date before it arrives. Do not ship it: compound it again and record the new "
                "lot as a correction.",
                code="beyond_use_date_passed",
            )


@transaction.atomic
def order_acknowledge(*, order: PrescriptionOrder, actor: User) -> PrescriptionOrder:
    """Pharmacy staff opening a newly sent order acknowledges it: sent → received, recorded as an
    event. Idempotent: an order already acknowledged (or moved on) is returned as it is."""
    locked = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != S.SENT or actor.role != PHARMACY:
        return locked
    return order_transition(order=locked, actor=actor, to=S.RECEIVED, note="Acknowledged on opening the order.")


@transaction.atomic
def order_transition(
    *,
    order: PrescriptionOrder,
    actor: User,
    to: str,
    note: str = "",
    carrier: str = "",
    tracking_number: str = "",
) -> PrescriptionOrder:
    """Move an order to ``to``: the only way an order's status changes. Checks the current state
    and the actor's role and scope under a row lock, so two people acting at once cannot both
    win, and records an :class:`OrderEvent`."""
    # The lock makes the second of two simultaneous actions see the first one's result.
    locked = PrescriptionOrder.objects.select_for_update().get(pk=order.pk)
    current = locked.status
    if to not in S.values:
        raise ValidationError("Unknown order status.")
    role = TRANSITIONS.get((current, to))
    if role is None:
        raise ValidationError(
            f"An order that is {_label(current)} cannot become {_label(to)}.", code="invalid_transition"
        )
    if actor.role != role:
        who = "the pharmacy" if role == PHARMACY else "the prescribing physician's care team"
        raise PermissionDenied(f"Only {who} can move an order from {_label(current)} to {_label(to)}.")
    _require_actor_scope(locked, actor)
    note = note.strip()
    if (current, to) == (S.DRAFT, S.SIGNED) and not (locked.content_hash and locked.signed_at):
        raise ValidationError("An order is signed only through signing, which freezes its content.")
    if to == S.SENT and locked.pharmacy_id is None:
        raise ValidationError("The order has no pharmacy to go to.")
    required = NOTE_REQUIRED.get((current, to)) or NOTE_REQUIRED.get((None, to))
    if to == S.CANCELLED and current != S.DRAFT:
        required = "Say why the order is cancelled; the pharmacy will see it."
    if required and not note:
        raise ValidationError({"note": required})
    _require_pharmacy_records(locked, current, to)
    update_fields = ["status", "status_changed_at", "updated_at"]
    if to == S.SHIPPED:
        carrier, tracking_number = tracking_number_validate(carrier=carrier.strip(), tracking_number=tracking_number)
        locked.carrier, locked.tracking_number = carrier, tracking_number
        update_fields += ["carrier", "tracking_number"]
    locked.status = to
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=update_fields)
    event = OrderEvent.objects.create(
        order=locked, actor=actor, actor_role=actor.role, from_status=current, to_status=to, note=note
    )
    if to in NOTIFY_PATIENT and current != S.DRAFT:
        patient = locked.patient
        # Only the id goes: the message says "You have an update in your portal" and nothing more.
        portal_update_notify(user_id=patient.user_id, time_zone=patient.time_zone_name)
    if to in (S.NEEDS_CLARIFICATION, S.REJECTED):
        portal_update_notify(user_id=locked.prescriber_id)
    if to == S.SENT:
        refill_reminder_schedule(locked)
        if locked.pharmacy.receives_fax:
            # A pharmacy outside the portal gets the signed prescription by fax, sent after commit.
            fax_transmission_queue(order=locked, requested_by=actor)
        else:
            kind = pharmacy_notifications.REFILL_ORDER if locked.refill_of_id else pharmacy_notifications.NEW_ORDER
            pharmacy_notifications.pharmacy_notify(order=locked, event=event, kind=kind)
    if (current, to) == (S.NEEDS_CLARIFICATION, S.IN_REVIEW):
        pharmacy_notifications.pharmacy_notify(order=locked, event=event, kind=pharmacy_notifications.ANSWER)
    if to == S.CANCELLED and current not in (S.DRAFT, S.SIGNED):
        # Only an order the pharmacy has seen: a draft or a held order never reached it.
        pharmacy_notifications.pharmacy_notify(order=locked, event=event, kind=pharmacy_notifications.CANCELLED)
    if to == S.DELIVERED:
        # A plan that starts when the medicine arrives starts the day after delivery (unless the
        # patient already said it arrived).
        plan_mark_arrived(patient=locked.patient, arrived_on=locked.patient.today())
    order.status, order.carrier, order.tracking_number = locked.status, locked.carrier, locked.tracking_number
    order.status_changed_at = locked.status_changed_at
    return locked
