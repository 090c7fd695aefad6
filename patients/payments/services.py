"""Taking a visit's fee through Stripe Checkout, applying Stripe's webhook events, and refunds
(docs/domain.md "Cash pay").

Stripe is called outside any database transaction, so a slow answer holds no row lock; its
idempotency keys (patients.payments.keys) make asking again safe, and a new request never meets
an old request's saved answer. What
Stripe says happened reaches the portal only through signed webhook events, each applied once."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from patients.billing.estimates import service_code_with_modifier
from patients.billing.selectors import fee_for_visit
from patients.billing.services import receipt_prepare
from patients.models import Appointment, FeeSchedule, Payment, StripeEvent
from patients.payments import tasks
from patients.payments.gateway import payments_enabled, stripe_client, stripe_error_reason
from patients.payments.keys import checkout_key
from patients.payments.selectors import refundable_until
from portal.models import User

logger = logging.getLogger(__name__)
P = Payment.Status

# What Stripe's page and the card statement call the purchase: nothing about the patient's health.
PRODUCT_NAME = "Telehealth visit"

PAYMENTS_OFF = "The practice does not take payments online. Please contact the practice to pay."
NO_PRICE = "The practice has not published a price for this visit yet."
CHECKOUT_UNAVAILABLE = "The payment page could not be opened. Please try again in a few minutes."
CHECKOUT_OPENING = "The payment page is being opened. Please try again in a moment."

# The portal asks Stripe to close each Checkout page an hour after it is opened (Stripe allows 30
# minutes to 24 hours); "Pay" reuses an open page only while it has ten minutes left, so a page
# the portal gives up on can no longer take money.
CHECKOUT_PAGE_LIFETIME = dt.timedelta(hours=1)
CHECKOUT_REUSED_FOR = CHECKOUT_PAGE_LIFETIME - dt.timedelta(minutes=10)
# A payment row whose page was never stored: another request may still be waiting for Stripe's
# answer; after this long the request is taken to have died, and Stripe is asked again with the
# same idempotency key (which returns the same page if it was made).
CHECKOUT_OPENING_FOR = dt.timedelta(minutes=2)

# An event about a charge the portal cannot match yet (a refund reported before the payment's
# completion) is refused for this long, so Stripe delivers it again after the completion.
UNMATCHED_EVENT_RETRIED_FOR = dt.timedelta(hours=1)


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _fail(payment: Payment, reason: str) -> None:
    payment.status, payment.failure_reason = P.FAILED, reason[:300]
    payment.save(update_fields=["status", "failure_reason"])


def _publish(task, payment_id: int) -> None:
    try:
        task.apply_async(args=[payment_id], retry=False)
    except BrokerUnreachable:
        # The change is committed; ``patients.payments.resume`` picks the row up (refunds), or
        # Stripe closes the page by itself (checkouts).
        logger.warning("broker unreachable: %s for payment %s waits", task.name, payment_id)


def _enqueue(task, payment_id: int) -> None:
    # Only the id travels: the worker reads the payment from the database.
    transaction.on_commit(lambda: _publish(task, payment_id))


# --- Checkout --------------------------------------------------------------------------------------


def _checkout_url(payment: Payment, outcome: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/patient/billing/payments/{payment.pk}/?checkout={outcome}"


@transaction.atomic
def _checkout_payment(*, appointment: Appointment, by: User, now: dt.datetime) -> Payment:
    """The visit's open payment to send the patient to, or a new pending one at the visit date's
    price. The visit row is locked, so two tabs get the same payment."""
    visit = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "visit_type")
        .get(pk=appointment.pk)
    )
    if visit.patient.user_id != by.pk:
        raise PermissionDenied("Only the visit's patient pays for it here.")
    live = Payment.objects.select_for_update(of=("self",)).filter(appointment=visit, status__in=Payment.LIVE_STATUSES)
    payment = live.first()
    if payment is not None:
        if payment.status != P.PENDING:
            raise ValidationError("This visit is already paid.")
        if not payment.checkout_url:
            if payment.created_at > now - CHECKOUT_OPENING_FOR:
                raise ValidationError(CHECKOUT_OPENING)
            return payment
        if payment.created_at > now - CHECKOUT_REUSED_FOR:
            return payment
        # Its page closes (or has closed) at Stripe: a new payment gets a new page.
        _fail(payment, "The payment page closed before payment.")
        if payment.checkout_session_id:
            _enqueue(tasks.expire_checkout, payment.pk)
    if visit.status not in (Appointment.Status.BOOKED, Appointment.Status.COMPLETED):
        raise ValidationError(f"This visit is {visit.get_status_display().lower()}: there is nothing to pay.")
    fee = fee_for_visit(visit)
    if fee is None:
        raise ValidationError(NO_PRICE)
    if (
        visit.status == Appointment.Status.BOOKED
        and fee.schedule.payment_timing != FeeSchedule.PaymentTiming.AT_BOOKING
    ):
        raise ValidationError("The practice takes payment for this visit after it has taken place.")
    return Payment.objects.create(
        patient=visit.patient,
        appointment=visit,
        fee_schedule=fee.schedule,
        description=fee.description,
        service_code=service_code_with_modifier(fee, fee.schedule),
        amount_cents=fee.amount_cents,
        currency="usd",
        created_at=now,
    )


def _checkout_params(payment: Payment) -> dict[str, Any]:
    # Ids and the amount only: Stripe learns nothing of the visit's reason or the patient's health.
    reference = {"payment_id": str(payment.pk)}
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": payment.currency,
                    "unit_amount": payment.amount_cents,
                    "product_data": {"name": PRODUCT_NAME},
                },
            }
        ],
        "client_reference_id": str(payment.pk),
        "metadata": reference,
        "payment_intent_data": {"metadata": reference},
        "success_url": _checkout_url(payment, "done"),
        "cancel_url": _checkout_url(payment, "cancelled"),
        "expires_at": int((payment.created_at + CHECKOUT_PAGE_LIFETIME).timestamp()),
    }


@transaction.atomic
def _checkout_failed(*, payment_id: int, reason: str) -> None:
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    if payment.status == P.PENDING and not payment.checkout_url:
        _fail(payment, reason)


@transaction.atomic
def _checkout_store(*, payment_id: int, session_id: str, url: str) -> Payment:
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    if payment.status == P.PENDING and not payment.checkout_url:
        payment.checkout_session_id, payment.checkout_url = session_id, url
        payment.save(update_fields=["checkout_session_id", "checkout_url"])
    return payment


def checkout_start(*, appointment: Appointment, by: User, now: dt.datetime | None = None) -> Payment:
    """Send the visit's patient to Stripe's payment page: the open page if there is one, else a new
    pending payment at the price in force on the visit's date and a new Checkout Session. When
    Stripe cannot be reached the payment is recorded as not paid (with the reason, for the
    practice) and the patient is asked to try again; no half-made payment is left open."""
    now = now or timezone.now()
    if not payments_enabled():
        raise ValidationError(PAYMENTS_OFF)
    payment = _checkout_payment(appointment=appointment, by=by, now=now)
    if payment.checkout_url:
        return payment
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=_checkout_params(payment), options={"idempotency_key": checkout_key(payment)}
        )
    except stripe.StripeError as error:
        logger.warning("payment %s: checkout not opened (%s)", payment.pk, type(error).__name__)
        _checkout_failed(payment_id=payment.pk, reason=f"The payment page was not opened: {stripe_error_reason(error)}")
        raise ValidationError(CHECKOUT_UNAVAILABLE) from error
    if not session.id or not session.url:
        _checkout_failed(payment_id=payment.pk, reason="Stripe returned a payment page without an address.")
        raise ValidationError(CHECKOUT_UNAVAILABLE)
    payment = _checkout_store(payment_id=payment.pk, session_id=session.id, url=session.url)
    if not payment.checkout_url:
        # The payment was given up while Stripe answered (the visit was cancelled in another tab).
        raise ValidationError(CHECKOUT_UNAVAILABLE)
    return payment


# --- Webhook events --------------------------------------------------------------------------------


class StripeEventDeferred(Exception):
    """The event is about a charge the portal cannot match yet; nothing was recorded, and the
    webhook answers so that Stripe sends it again later."""


def _locked():
    # The payment row alone: a join here would be re-checked against the visit row the payment
    # pointed at before a concurrent reschedule moved it, and could drop the payment.
    return Payment.objects.select_for_update()


def _reference(obj: dict) -> int | None:
    value = (obj.get("metadata") or {}).get("payment_id") or obj.get("client_reference_id")
    return int(value) if isinstance(value, str | int) and str(value).isdigit() else None


def _payment_for_session(session: dict) -> Payment | None:
    """The payment a Checkout Session belongs to: by the session id the portal stored, or by the
    payment id it put in the session's metadata when the id was never stored. A session of
    another payment (another installation sharing the Stripe account) matches nothing."""
    session_id = session.get("id") or ""
    payment = _locked().filter(checkout_session_id=session_id).first() if session_id else None
    if payment is None and (pk := _reference(session)) is not None:
        payment = _locked().filter(pk=pk, checkout_session_id__isnull=True).first()
    return payment


def _payment_for_charge(charge: dict) -> Payment | None:
    intent = charge.get("payment_intent") or ""
    payment = _locked().filter(payment_intent_id=intent).first() if intent else None
    if payment is None and (pk := _reference(charge)) is not None:
        payment = _locked().filter(pk=pk, payment_intent_id="").first()
    return payment


def _note_intent(payment: Payment, obj: dict) -> None:
    intent = obj.get("payment_intent")
    if isinstance(intent, str) and intent and not payment.payment_intent_id:
        payment.payment_intent_id = intent


def _paid(payment: Payment, session: dict, now: dt.datetime) -> str:
    _note_intent(payment, session)
    payment.save(update_fields=["payment_intent_id"])
    if payment.status in (P.PAID, P.REFUND_PENDING, P.REFUNDED):
        # Out of order or repeated: a refunded payment never becomes paid again.
        return f"no change: the payment is already {payment.get_status_display().lower()}"
    amount, currency = session.get("amount_total"), str(session.get("currency") or "").lower()
    if amount != payment.amount_cents or currency != payment.currency:
        logger.warning("payment %s: Stripe reported a different amount; not marked paid", payment.pk)
        return (
            f"not marked paid: Stripe reported {amount} {currency or '(no currency)'}, "
            f"the payment is {payment.amount_cents} {payment.currency}"
        )
    if payment.status == P.FAILED:
        # Money was taken after the portal had given up on the payment (the visit was cancelled
        # while the page was open). The record says paid; a cancelled visit is refunded at once.
        others = Payment.objects.filter(appointment_id=payment.appointment_id, status__in=Payment.LIVE_STATUSES)
        if others.exclude(pk=payment.pk).exists():
            logger.warning("payment %s: paid after it was given up, and the visit has another payment", payment.pk)
            return "not marked paid: the visit has another payment; refund this one in Stripe"
    payment.status, payment.paid_at, payment.failure_reason = P.PAID, now, ""
    payment.save(update_fields=["status", "paid_at", "failure_reason"])
    receipt_prepare(payment=payment)
    if payment.appointment.status == Appointment.Status.CANCELLED:
        _refund_start(payment=payment, by=None, reason="Paid after the visit was cancelled.")
        return "paid after the visit was cancelled: refund started"
    return "paid"


def _session_completed(payment: Payment, session: dict, now: dt.datetime) -> str:
    if session.get("payment_status") == "paid":
        return _paid(payment, session, now)
    # Bank debits and other delayed methods: the outcome comes in a later event.
    _note_intent(payment, session)
    payment.save(update_fields=["payment_intent_id"])
    return "checkout completed; the payment is still processing"


def _session_not_paid(reason: str):
    def apply(payment: Payment, session: dict, now: dt.datetime) -> str:
        if payment.status != P.PENDING:
            return f"no change: the payment is {payment.get_status_display().lower()}"
        _note_intent(payment, session)
        _fail(payment, reason)
        payment.save(update_fields=["payment_intent_id"])
        return "failed"

    return apply


def _charge_refunded(payment: Payment, charge: dict, now: dt.datetime) -> str:
    _note_intent(payment, charge)
    refunded = int(charge.get("amount_refunded") or 0)
    if payment.status == P.REFUNDED:
        payment.refunded_cents = max(payment.refunded_cents, refunded)
        payment.save(update_fields=["payment_intent_id", "refunded_cents"])
        return "no change: the payment is already refunded"
    payment.refunded_cents = refunded
    if refunded < payment.amount_cents and not charge.get("refunded"):
        payment.save(update_fields=["payment_intent_id", "refunded_cents"])
        return f"partly refunded ({refunded} of {payment.amount_cents} cents); status unchanged"
    payment.status, payment.refunded_at = P.REFUNDED, now
    payment.save(update_fields=["payment_intent_id", "refunded_cents", "status", "refunded_at"])
    return "refunded"


SESSION_EVENTS = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _paid,
    "checkout.session.async_payment_failed": _session_not_paid("The payment did not go through."),
    "checkout.session.expired": _session_not_paid("The payment page closed before payment."),
}


def _refund_failed(payment: Payment, refund: dict, now: dt.datetime) -> str:
    """A refund Stripe had accepted failed later (the card was closed, say): the money is still
    the practice's, so the payment is paid again, with the reason kept for the practice."""
    if payment.status not in (P.REFUNDED, P.REFUND_PENDING):
        return f"no change: the payment is {payment.get_status_display().lower()}"
    failed = int(refund.get("amount") or 0)
    why = str(refund.get("failure_reason") or "no reason given")[:100]
    payment.status, payment.refunded_at = P.PAID, None
    payment.refunded_cents = max(0, payment.refunded_cents - failed)
    payment.refund_reason = f"Refund failed at Stripe ({why}); refund it again or contact the patient."
    payment.save(update_fields=["status", "refunded_at", "refunded_cents", "refund_reason"])
    logger.warning("payment %s: a refund failed after Stripe accepted it", payment.pk)
    return "refund failed: paid again"


CHARGE_EVENTS = {"charge.refunded": _charge_refunded, "refund.failed": _refund_failed}


def _event_fields(event: stripe.StripeObject | dict) -> tuple[str, str, dt.datetime, dict]:
    data = event.to_dict() if isinstance(event, stripe.StripeObject) else event
    try:
        created = dt.datetime.fromtimestamp(int(data["created"]), tz=dt.UTC)
        obj = data["data"]["object"]
        if not isinstance(obj, dict):
            raise TypeError
        return str(data["id"]), str(data["type"]), created, obj
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise ValueError("This is not a Stripe event.") from error


@transaction.atomic
def stripe_event_apply(*, event: stripe.StripeObject | dict, now: dt.datetime | None = None) -> str:
    """Apply one verified Stripe event and return what it did (kept on its StripeEvent row). Each
    event id is applied once: a replay changes nothing. Events may come in any order: a refunded
    payment is never paid again, and a page closing after the payment changes nothing. Raises
    ValueError for something that is not an event, and StripeEventDeferred (nothing recorded)
    for a young event about a charge the portal cannot match yet."""
    now = now or timezone.now()
    event_id, kind, created, obj = _event_fields(event)
    record, new = StripeEvent.objects.get_or_create(
        event_id=event_id, defaults={"type": kind[:100], "stripe_created": created, "received_at": now}
    )
    if not new:
        return f"already applied: {record.outcome}"
    if kind in SESSION_EVENTS:
        handler, payment = SESSION_EVENTS[kind], _payment_for_session(obj)
    elif kind in CHARGE_EVENTS:
        handler, payment = CHARGE_EVENTS[kind], _payment_for_charge(obj)
        if payment is None and created > now - UNMATCHED_EVENT_RETRIED_FOR:
            raise StripeEventDeferred(f"{kind} {event_id} matches no payment yet")
    else:
        handler, payment = None, None
    if handler is None:
        outcome = "ignored: the portal does not act on this kind of event"
    elif payment is None:
        outcome = "ignored: no payment of this portal matches"
    else:
        outcome = handler(payment, obj, now)
    record.payment, record.outcome = payment, outcome[:200]
    record.save(update_fields=["payment", "outcome"])
    logger.info("stripe event %s (%s) for payment %s: %s", event_id, kind, payment.pk if payment else "-", outcome)
    return outcome


# --- Refunds ---------------------------------------------------------------------------------------


def _refund_start(*, payment: Payment, by: User | None, reason: str) -> Payment:
    """Mark a locked, paid payment as being refunded in full; the worker asks Stripe once the
    caller's transaction commits."""
    payment.status, payment.refund_reason, payment.refund_requested_by = P.REFUND_PENDING, reason[:300], by
    payment.refund_requested_at = timezone.now()
    payment.save(update_fields=["status", "refund_reason", "refund_requested_by", "refund_requested_at"])
    _enqueue(tasks.send_refund, payment.pk)
    return payment


@transaction.atomic
def payment_refund(*, payment: Payment, by: User, reason: str, now: dt.datetime | None = None) -> Payment:
    """Practice staff refund a paid payment in full (the admin's action), giving the reason that is
    kept with the payment."""
    if not (by.role == User.Role.STAFF or by.is_superuser):
        raise PermissionDenied("Only practice staff refund payments.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Say why the payment is refunded; the reason is kept with the payment.")
    locked = _locked().get(pk=payment.pk)
    if locked.status != P.PAID:
        raise ValidationError(
            f"Only a paid payment can be refunded; this one is {locked.get_status_display().lower()}."
        )
    return _refund_start(payment=locked, by=by, reason=reason)


@dataclass(frozen=True)
class CancellationRefund:
    """What cancelling did to the visit's payment: ``refunded`` when a refund was started (or was
    already under way), and ``message``, the sentence the page shows ("" when nothing was paid)."""

    refunded: bool
    message: str


@transaction.atomic
def refund_for_cancelled_visit(
    *, appointment: Appointment, by: User, now: dt.datetime | None = None
) -> CancellationRefund:
    """Called inside the cancellation's transaction. A visit the care team or the practice cancels
    is refunded in full; one the patient cancels is refunded in full when they cancel at least the
    policy's notice ahead (the fee schedule the payment was made under), otherwise not. An open
    payment page is closed, so the cancelled visit cannot be paid afterwards."""
    now = now or timezone.now()
    payment = _locked().filter(appointment_id=appointment.pk, status__in=Payment.LIVE_STATUSES).first()
    if payment is None:
        return CancellationRefund(False, "")
    by_patient = by.role == User.Role.PATIENT
    if payment.status == P.PENDING:
        _fail(payment, "The visit was cancelled before it was paid.")
        if payment.checkout_session_id:
            _enqueue(tasks.expire_checkout, payment.pk)
        return CancellationRefund(False, "")
    amount = _money(payment.amount_cents)
    done = (
        f"The {amount} you paid will be refunded to your card; it usually shows within 5–10 business days."
        if by_patient
        else f"The patient's payment of {amount} will be refunded in full."
    )
    if payment.status == P.REFUND_PENDING:
        return CancellationRefund(True, done)
    hours = payment.fee_schedule.cancellation_notice_hours
    if by_patient:
        if now > refundable_until(payment):
            when = "was moved" if payment.refundable_until else "was cancelled"
            return CancellationRefund(
                False,
                f"The visit {when} less than {hours} hours before it was due, so under the practice's "
                f"cancellation policy the {amount} paid is not refunded.",
            )
        reason = f"The patient cancelled at least {hours} hours before the visit."
    else:
        reason = "The care team or the practice cancelled the visit."
    _refund_start(payment=payment, by=by, reason=reason)
    return CancellationRefund(True, done)


@transaction.atomic
def payment_follow_moved_visit(*, old: Appointment, new: Appointment, now: dt.datetime | None = None) -> Payment | None:
    """A visit moved to another time keeps its payment: the paid (or open) payment of the old visit
    now belongs to the new one, so the patient neither pays twice nor waits for a refund. Called
    inside the reschedule's transaction."""
    now = now or timezone.now()
    payment = _locked().filter(appointment_id=old.pk, status__in=Payment.LIVE_STATUSES).first()
    if payment is None:
        return None
    payment.appointment = new
    # Moved ahead of the refund cut-off, the new visit has its own (the notice before it); moved
    # after the cut-off, the old cut-off stays (a move must not turn a late cancellation into a
    # refunded one).
    if now > refundable_until(payment, visit=old):
        payment.refundable_until = refundable_until(payment, visit=old)
    payment.save(update_fields=["appointment", "refundable_until"])
    return payment
