"""Reads about payments that depend on who is asking (docs/domain.md "Cash pay"). A payment is the
patient's own: only that patient sees it in the portal; practice staff use the admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from patients.billing.selectors import fee_for_visit
from patients.models import Appointment, Fee, FeeSchedule, Payment
from patients.payments.gateway import payments_enabled
from portal.access import get_scoped_or_404
from portal.models import User


def payment_list_for(user: User) -> QuerySet[Payment]:
    """A patient: their own payments, newest first. Everyone else: none (staff use the admin)."""
    base = Payment.objects.select_related("appointment__visit_type", "fee_schedule")
    if not user.is_authenticated or user.role != User.Role.PATIENT:
        return base.none()
    return base.filter(patient__user=user)


def payment_get_for(user: User, pk: int) -> Payment:
    """One of ``user``'s own payments, else 404."""
    return get_scoped_or_404(payment_list_for(user), pk=pk)


def visit_to_pay_get_for(user: User, pk: int) -> Appointment:
    """One of the patient's own visits, for paying it; 404 for anyone else's (and for anyone but
    a patient). Here rather than in patients.visits so that payments need not import visits."""
    visits = Appointment.objects.select_related("patient", "visit_type")
    if not user.is_authenticated or user.role != User.Role.PATIENT:
        return get_scoped_or_404(visits.none(), pk=pk)
    return get_scoped_or_404(visits.filter(patient__user=user), pk=pk)


def payment_for_visit(appointment: Appointment) -> Payment | None:
    """The visit's live payment (open, paid or being refunded), or None."""
    return (
        Payment.objects.filter(appointment_id=appointment.pk, status__in=Payment.LIVE_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )


def _due_fee(appointment: Appointment, *, now: dt.datetime) -> Fee | None:
    """The price the visit's patient is offered "Pay" for, or None when nothing is due: the visit
    has no paid (or refunding) payment, the practice has a price for it, and either it is booked
    and the practice takes payment at booking, or it took place. An open checkout still counts as
    due: "Pay" takes the patient back to it."""
    live = payment_for_visit(appointment)
    if live is not None and live.status != Payment.Status.PENDING:
        return None
    if appointment.status == Appointment.Status.COMPLETED:
        return fee_for_visit(appointment)
    if appointment.status != Appointment.Status.BOOKED or appointment.ends_at <= now:
        return None
    fee = fee_for_visit(appointment)
    if fee is None or fee.schedule.payment_timing != FeeSchedule.PaymentTiming.AT_BOOKING:
        return None
    return fee


def payment_due(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """Whether the visit's patient is offered "Pay" (payments on, and :func:`_due_fee`)."""
    return payments_enabled() and _due_fee(appointment, now=now or timezone.now()) is not None


@dataclass(frozen=True)
class VisitToPay:
    """A visit the patient is offered "Pay" for, at the price it is charged."""

    appointment: Appointment
    description: str
    amount_cents: int


def visits_to_pay_for(user: User, *, now: dt.datetime | None = None) -> list[VisitToPay]:
    """The visits :func:`payment_due` offers "Pay" for, soonest first. Only unpaid visits are
    looked at (a few at most). Empty for anyone but a patient, and when payments are off."""
    now = now or timezone.now()
    if not payments_enabled() or not user.is_authenticated or user.role != User.Role.PATIENT:
        return []
    settled = Payment.objects.filter(status__in=(Payment.Status.PAID, Payment.Status.REFUND_PENDING))
    visits = (
        Appointment.objects.filter(patient__user=user)
        .filter(Q(status=Appointment.Status.COMPLETED) | Q(status=Appointment.Status.BOOKED, ends_at__gt=now))
        .exclude(pk__in=settled.values("appointment_id"))
        .select_related("visit_type")
        .order_by("starts_at", "pk")
    )
    due = []
    for visit in visits:
        fee = _due_fee(visit, now=now)
        if fee is not None:
            due.append(VisitToPay(appointment=visit, description=fee.description, amount_cents=fee.amount_cents))
    return due


def refundable_until(payment: Payment, *, visit: Appointment | None = None) -> dt.datetime:
    """Until when the patient cancelling the paid visit is refunded in full: the cut-off a late move
    kept, else the policy's notice (of the fee schedule paid under) before the visit."""
    if payment.refundable_until is not None:
        return payment.refundable_until
    visit = visit or payment.appointment
    return visit.starts_at - dt.timedelta(hours=payment.fee_schedule.cancellation_notice_hours)


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def cancellation_refund_preview(appointment: Appointment, *, now: dt.datetime | None = None) -> str:
    """What the patient cancelling the visit now would do to its payment, said before they confirm;
    the rule is patients.payments.services.refund_for_cancelled_visit's (this only reads). "" when
    nothing was paid (an open payment page is simply closed)."""
    now = now or timezone.now()
    payment = payment_for_visit(appointment)
    if payment is None or payment.status == Payment.Status.PENDING:
        return ""
    amount = _money(payment.amount_cents)
    if payment.status == Payment.Status.REFUND_PENDING:
        return f"Your payment of {amount} is already being refunded."
    if now <= refundable_until(payment):
        return (
            f"You paid {amount}; it will be refunded in full to your card (it usually shows within 5–10 business days)."
        )
    hours = payment.fee_schedule.cancellation_notice_hours
    why = (
        f"the visit was moved less than {hours} hours before it was due"
        if payment.refundable_until
        else f"the visit is less than {hours} hours away"
    )
    return f"You paid {amount}; it is not refunded, because {why} (the practice's cancellation policy)."
