"""The demo's cash pay: the practice's fee schedule, Maria Lopez's Good Faith Estimates (her first
visit and her next one), her first visit paid and receipted, and a superbill of this year.

The demo has no Stripe keys, so nothing reaches Stripe: the payment is recorded through the same
service a verified Stripe event goes through (``stripe_event_apply``), with ids marked ``demo``.
Called from prescriptions.demo once the pharmacies' price ranges and Maria's order (whose ICD-10
code the estimates show) exist. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.billing.estimates import service_code_with_modifier
from patients.billing.services import estimate_issue_for_visit, superbill_request
from patients.models import Appointment, Fee, FeeSchedule, GoodFaithEstimate, Patient, Payment, Superbill, VisitType
from patients.payments.services import stripe_event_apply
from portal.demo import demo_email

DEMO_SESSION = "cs_demo_maria_first_visit"
PRICES = {
    VisitType.Kind.INITIAL: ("99204", "Video visit, new patient (up to 45 minutes)", 19_500),
    VisitType.Kind.FOLLOW_UP: ("99214", "Video visit, follow-up", 9_500),
}
POLICY = (
    "Cancel or move your visit at least 24 hours before it starts and you pay nothing for it (a payment "
    "already made is refunded in full). A visit cancelled later, or missed, is charged in full. If we "
    "cancel, you are always refunded."
)


def _seed_fee_schedule(today: dt.date) -> FeeSchedule:
    schedule, created = FeeSchedule.objects.get_or_create(
        effective_from=dt.date(today.year, 1, 1),
        defaults={
            "name": f"{today.year} prices",
            "legal_name": "LDN Care Partners, PLLC",
            "npi": "1982736450",
            "tin": "12-3456789",
            "address_line1": "600 Congress Ave",
            "address_line2": "Suite 1400",
            "city": "Austin",
            "state_code": "TX",
            "postal_code": "78701",
            "phone": "512-555-0100",
            "billing_email": "billing@ldncare.example",
            "cancellation_policy": POLICY,
        },
    )
    if created:
        for kind, (code, description, cents) in PRICES.items():
            Fee.objects.create(
                schedule=schedule,
                visit_type=VisitType.objects.get(kind=kind),
                service_code=code,
                description=description,
                amount_cents=cents,
            )
    return schedule


def _seed_estimates(visits: list[Appointment]) -> None:
    for visit in visits:
        if not GoodFaithEstimate.objects.filter(appointment=visit).exists():
            # As if booked a week before the visit (the demo writes its visits directly).
            booked = min(visit.starts_at - dt.timedelta(days=7), timezone.now())
            estimate_issue_for_visit(appointment=visit, reason=GoodFaithEstimate.Reason.SCHEDULED, now=booked)


def _seed_paid_visit(visit: Appointment, schedule: FeeSchedule) -> None:
    if Payment.objects.filter(checkout_session_id=DEMO_SESSION).exists():
        return
    fee = schedule.fees.get(visit_type=visit.visit_type)
    paid_at = visit.starts_at - dt.timedelta(days=6)
    payment = Payment.objects.create(
        patient=visit.patient,
        appointment=visit,
        fee_schedule=schedule,
        description=fee.description,
        service_code=service_code_with_modifier(fee, schedule),
        amount_cents=fee.amount_cents,
        checkout_session_id=DEMO_SESSION,
        created_at=paid_at - dt.timedelta(minutes=3),
    )
    session = {
        "object": "checkout.session",
        "id": DEMO_SESSION,
        "payment_status": "paid",
        "status": "complete",
        "amount_total": payment.amount_cents,
        "currency": "usd",
        "payment_intent": "pi_demo_maria_first_visit",
        "client_reference_id": str(payment.pk),
        "metadata": {"payment_id": str(payment.pk)},
    }
    event = {
        "id": "evt_demo_maria_first_visit_paid",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(paid_at.timestamp()),
        "data": {"object": session},
    }
    stripe_event_apply(event=event, now=paid_at)


def seed_cash_pay(today: dt.date) -> None:
    schedule = _seed_fee_schedule(today)
    maria = Patient.objects.filter(user__email=demo_email("maria.lopez")).first()
    if maria is None:
        return
    visits = list(
        maria.appointments.filter(status__in=[Appointment.Status.COMPLETED, Appointment.Status.BOOKED])
        .filter(starts_at__date__gte=schedule.effective_from)
        .select_related("visit_type", "location_state", "patient__state")
        .order_by("starts_at")
    )
    _seed_estimates(visits)
    first = next((visit for visit in visits if visit.status == Appointment.Status.COMPLETED), None)
    if first is not None:
        _seed_paid_visit(first, schedule)
        if not Superbill.objects.filter(patient=maria).exists():
            superbill_request(patient=maria, period_start=schedule.effective_from, period_end=today)
