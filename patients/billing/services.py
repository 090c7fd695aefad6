"""Writes of cash pay's documents: Good Faith Estimates (45 CFR 149.610), receipts and superbills
(docs/domain.md "Cash pay"). Each document's content is frozen when its row is created; its PDF is
rendered by a worker (``patients.billing.render_document``) once the transaction commits, and the
patient is then told by email that it is ready in the portal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from patients.billing import tasks
from patients.billing.business_days import billing_date, estimate_due_on, request_due_on
from patients.billing.estimates import diagnoses_of, estimate_content, patient_identity, patient_local
from patients.billing.selectors import ESTIMATE, RECEIPT, SUPERBILL, fee_schedule_on, superbill_payments
from patients.models import Appointment, Fee, FeeSchedule, GoodFaithEstimate, Patient, Payment, Superbill, VisitType

logger = logging.getLogger(__name__)

NUMBER_PREFIXES = {ESTIMATE: "GFE", RECEIPT: "RC", SUPERBILL: "SB"}
# A superbill covers at most a year (a leap year's 366 days), the span an HSA/FSA claim asks for.
SUPERBILL_MAX_DAYS = 366


def document_number(kind: str, pk: int) -> str:
    """``GFE-000001``, ``RC-000001``, ``SB-000001``: from the row's primary key, so two documents
    issued at the same moment can never share a number."""
    return f"{NUMBER_PREFIXES[kind]}-{pk:06d}"


def content_digest(content: dict) -> str:
    """SHA-256 of the content's canonical JSON (sorted keys, no spaces): what the row's
    ``content_sha256`` holds, and what anyone can recompute to show the content never changed."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _placeholder_number() -> str:
    # Unique for the instant between the insert and the update that writes the real number (both in
    # one transaction: nobody else ever reads it).
    return "new-" + secrets.token_hex(8)


def _publish(kind: str, pk: int) -> None:
    try:
        tasks.render_document.apply_async(args=[kind, pk], retry=False)
    except BrokerUnreachable:
        # The document is committed: ``patients.billing.resume`` renders it once the broker is back.
        logger.warning("broker unreachable: billing %s %s waits for the resume task", kind, pk)


def _enqueue(kind: str, pk: int) -> None:
    # Only the kind and the id travel: the worker renders from the frozen row.
    transaction.on_commit(lambda: _publish(kind, pk))


def _next_visit_type(patient: Patient) -> VisitType:
    """An estimate the patient asks for is for the visit they would book next: the initial
    consultation until they have one booked or done, a follow-up visit afterwards."""
    seen_or_booked = Appointment.objects.filter(
        patient=patient, status__in=[Appointment.Status.BOOKED, Appointment.Status.COMPLETED]
    ).exists()
    kind = VisitType.Kind.FOLLOW_UP if seen_or_booked else VisitType.Kind.INITIAL
    return VisitType.objects.get(kind=kind)


def _estimate_create(
    *,
    patient: Patient,
    schedule: FeeSchedule,
    visit_type: VisitType,
    appointment: Appointment | None,
    reason: str,
    requested_at: dt.datetime,
    due_on: dt.date | None,
    now: dt.datetime,
) -> GoodFaithEstimate:
    estimate = GoodFaithEstimate.objects.create(
        number=_placeholder_number(),
        patient=patient,
        appointment=appointment,
        fee_schedule=schedule,
        reason=reason,
        requested_at=requested_at,
        due_on=due_on,
        content={},
        content_sha256="",
        created_at=now,
    )
    number = document_number(ESTIMATE, estimate.pk)
    content = estimate_content(
        number=number,
        patient=patient,
        schedule=schedule,
        visit_type=visit_type,
        appointment=appointment,
        reason=reason,
        requested_at=requested_at,
        due_on=due_on,
        issued_at=now,
    )
    frozen = {
        "number": number,
        "content": content,
        "content_sha256": content_digest(content),
        # The most the patient can expect to pay, every provider's high end added up.
        "total_cents": content["total_high_cents"],
    }
    # The one write after the insert, in the same transaction: the number needs the row's key and
    # the content needs the number (``save()`` refuses to change frozen fields afterwards).
    GoodFaithEstimate.objects.filter(pk=estimate.pk).update(**frozen)
    for field, value in frozen.items():
        setattr(estimate, field, value)
    _enqueue(ESTIMATE, estimate.pk)
    return estimate


@transaction.atomic
def estimate_issue_for_visit(
    *, appointment: Appointment, reason: str, now: dt.datetime | None = None
) -> GoodFaithEstimate | None:
    """Issue the Good Faith Estimate of a visit that was just booked (``reason`` "scheduled") or
    moved ("rescheduled"), inside that transaction. Returns None, issuing nothing, when no
    published fee schedule prices the visit's date: the booking itself still goes ahead."""
    if reason not in (GoodFaithEstimate.Reason.SCHEDULED, GoodFaithEstimate.Reason.RESCHEDULED):
        raise ValueError(f"a visit's estimate is issued when it is scheduled or rescheduled, not {reason!r}")
    now = now or timezone.now()
    service_on = billing_date(appointment.starts_at)
    schedule = fee_schedule_on(service_on)
    if schedule is None or not schedule.fees.filter(visit_type_id=appointment.visit_type_id).exists():
        # An estimate the rule asks for and the practice cannot give: its prices are not published.
        logger.warning("visit %s: no published price covers its date; no Good Faith Estimate issued", appointment.pk)
        return None
    return _estimate_create(
        patient=appointment.patient,
        schedule=schedule,
        visit_type=appointment.visit_type,
        appointment=appointment,
        reason=reason,
        requested_at=now,
        due_on=estimate_due_on(scheduled_on=billing_date(now), service_on=service_on),
        now=now,
    )


@transaction.atomic
def estimate_request(*, patient: Patient, now: dt.datetime | None = None) -> GoodFaithEstimate:
    """A patient asks for an estimate before booking (or for their next visit): priced by today's
    schedule, due within three business days of the request, issued at once."""
    now = now or timezone.now()
    today = billing_date(now)
    schedule = fee_schedule_on(today)
    if schedule is None:
        raise ValidationError("The practice has not published prices yet.")
    visit_type = _next_visit_type(patient)
    if not schedule.fees.filter(visit_type=visit_type).exists():
        raise ValidationError(
            f"The practice has not published a price for the {visit_type.name.lower()} yet. "
            f"Please call {schedule.phone} for an estimate."
        )
    return _estimate_create(
        patient=patient,
        schedule=schedule,
        visit_type=visit_type,
        appointment=None,
        reason=GoodFaithEstimate.Reason.REQUESTED,
        requested_at=now,
        due_on=request_due_on(today),
        now=now,
    )


def receipt_prepare(*, payment: Payment) -> Payment:
    """Give a payment that has just become paid its receipt number and have the receipt rendered
    once the caller's transaction commits. Called by ``patients.payments`` when Stripe confirms the
    payment (the payment's status must already say paid, saved or not). Calling it again changes
    nothing: a payment keeps its first receipt number."""
    if payment.pk is None:
        raise ValueError("save the payment before preparing its receipt")
    if payment.status != Payment.Status.PAID:
        raise ValueError("only a paid payment gets a receipt")
    with transaction.atomic():
        if not payment.receipt_number:
            number = document_number(RECEIPT, payment.pk)
            # Only this column is written: the caller may hold other unsaved changes of the row.
            Payment.objects.filter(pk=payment.pk, receipt_number__isnull=True).update(receipt_number=number)
            payment.receipt_number = Payment.objects.values_list("receipt_number", flat=True).get(pk=payment.pk)
        if not payment.receipt_pdf:
            _enqueue(RECEIPT, payment.pk)
    return payment


def _superbill_line(payment: Payment, *, service_on: dt.date, diagnosis_codes: list[str]) -> dict:
    appointment = payment.appointment
    physician = appointment.physician
    schedule = payment.fee_schedule
    return {
        "service_on": service_on.isoformat(),
        "description": payment.description,
        "billed_code": payment.service_code,
        "place_of_service": schedule.place_of_service,
        "diagnosis_codes": diagnosis_codes,
        "rendering_provider": physician.display_name,
        "rendering_npi": physician.npi,
        "patient_state": appointment.location_state.code,
        "charge_cents": payment.amount_cents,
        "paid_cents": payment.amount_cents,
        "paid_on": billing_date(payment.paid_at).isoformat() if payment.paid_at else None,
        "receipt_number": payment.receipt_number or "",
    }


@transaction.atomic
def superbill_request(
    *, patient: Patient, period_start: dt.date, period_end: dt.date, now: dt.datetime | None = None
) -> Superbill:
    """A superbill of the patient's paid visits in a period, to claim from an HSA/FSA or an
    out-of-network plan. Refused for a reversed, over-long or future period, or one without any
    paid visit."""
    now = now or timezone.now()
    today = billing_date(now)
    if period_end < period_start:
        raise ValidationError("The period's end is before its start. Choose the first day, then the last day.")
    if (period_end - period_start).days + 1 > SUPERBILL_MAX_DAYS:
        raise ValidationError("A superbill covers at most one year. Choose a shorter period.")
    if period_end > today:
        raise ValidationError(
            f"The period cannot end after today ({today:%B} {today.day}, {today.year}): "
            "a superbill lists visits that have taken place."
        )
    payments = [
        payment
        for payment in superbill_payments(patient=patient, period_start=period_start, period_end=period_end)
        if payment.appointment.starts_at <= now
    ]
    if not payments:
        raise ValidationError("You have no paid visits in this period. Choose another period.")
    # The practice's identity as of the latest visit listed (it changes only with a new schedule).
    schedule = payments[-1].fee_schedule
    # Each visit carries the codes that applied that day: the indication of the order signed by
    # then. A superbill is a claim document, so conditions only the patient reported at intake
    # are never printed as codes on it.
    diagnoses: dict[str, dict] = {}
    codes_on: dict[dt.date, list[str]] = {}
    lines = []
    for payment in payments:
        service_on = patient_local(patient, payment.appointment.starts_at).date()
        if service_on not in codes_on:
            applied = diagnoses_of(patient, on=service_on, self_reported=False)
            codes_on[service_on] = [diagnosis["code"] for diagnosis in applied]
            for diagnosis in applied:
                diagnoses.setdefault(diagnosis["code"], {"code": diagnosis["code"], "text": diagnosis["text"]})
        lines.append(_superbill_line(payment, service_on=service_on, diagnosis_codes=codes_on[service_on]))
    superbill = Superbill.objects.create(
        number=_placeholder_number(),
        patient=patient,
        period_start=period_start,
        period_end=period_end,
        content={},
        content_sha256="",
        created_at=now,
    )
    number = document_number(SUPERBILL, superbill.pk)
    total = sum(line["paid_cents"] for line in lines)
    content = {
        "document": "superbill",
        "number": number,
        "issued_on": today.isoformat(),
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "patient": patient_identity(patient, with_address=True),
        "provider": schedule.billing_identity(),
        "diagnoses": list(diagnoses.values()),
        "lines": lines,
        "total_charge_cents": sum(line["charge_cents"] for line in lines),
        "total_paid_cents": total,
        "balance_due_cents": 0,
    }
    frozen = {"number": number, "content": content, "content_sha256": content_digest(content), "total_cents": total}
    Superbill.objects.filter(pk=superbill.pk).update(**frozen)
    for field, value in frozen.items():
        setattr(superbill, field, value)
    _enqueue(SUPERBILL, superbill.pk)
    return superbill


@transaction.atomic
def fee_schedule_copy(*, schedule: FeeSchedule) -> FeeSchedule:
    """The start of the next fee-schedule version: an unused copy of ``schedule`` with all its
    fields and fees, named "<name> (copy)" and taking effect the day after the latest version, for
    staff to set its date and prices before any visit uses it (a used version is frozen)."""
    latest = FeeSchedule.objects.order_by("-effective_from").values_list("effective_from", flat=True).first()
    suffix = " (copy)"
    name_length = FeeSchedule._meta.get_field("name").max_length
    fields = {
        field.attname: getattr(schedule, field.attname)
        for field in FeeSchedule._meta.concrete_fields
        if field.name not in ("id", "name", "effective_from", "created_at")
    }
    copy = FeeSchedule.objects.create(
        **fields,
        name=schedule.name[: name_length - len(suffix)] + suffix,
        effective_from=latest + dt.timedelta(days=1),
    )
    Fee.objects.bulk_create(
        Fee(
            schedule=copy,
            visit_type_id=fee.visit_type_id,
            service_code=fee.service_code,
            description=fee.description,
            amount_cents=fee.amount_cents,
        )
        for fee in schedule.fees.all()
    )
    return copy
