"""The workers' side of payments: sending a refund to Stripe and closing the payment page of a
cancelled visit. Called by ``patients.payments.tasks`` with a payment id; never from a request."""

from __future__ import annotations

import datetime as dt
import logging

import stripe
from django.db import transaction
from django.utils import timezone

from patients.models import Payment
from patients.payments.gateway import stripe_client, stripe_error_reason
from patients.payments.keys import refund_key

logger = logging.getLogger(__name__)
P = Payment.Status

# What a worker does next with a refund.
REFUNDED, REFUSED, RETRY, NOTHING = "refunded", "refused", "retry", "nothing to do"

# Failures where Stripe did not decide: asking again later, with the same idempotency key, is safe.
TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


@transaction.atomic
def _refused(payment_id: int, why: str) -> str:
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    if payment.status != P.REFUND_PENDING:
        return NOTHING
    # Back to paid, with Stripe's words kept for the practice next to the reason it was asked for.
    asked = f" Asked because: {payment.refund_reason}" if payment.refund_reason else ""
    payment.status = P.PAID
    payment.refund_reason = f"Refund refused: {why}.{asked}"[:300]
    payment.save(update_fields=["status", "refund_reason"])
    logger.warning("payment %s: refund refused by Stripe", payment_id)
    return REFUSED


@transaction.atomic
def _refunded(payment_id: int, refund: stripe.Refund | None) -> str:
    """Record the refund Stripe made (``None``: Stripe says the charge was already refunded in full)."""
    payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    payment.refund_id = payment.refund_id or (refund.id if refund is not None else "")
    fields = ["refund_id"]
    # The charge.refunded event may have arrived first: it already says refunded.
    if payment.status == P.REFUND_PENDING:
        payment.status, payment.refunded_at = P.REFUNDED, timezone.now()
        refunded = int(refund.amount or 0) if refund is not None else payment.amount_cents - payment.refunded_cents
        payment.refunded_cents = payment.refunded_cents + refunded
        fields += ["status", "refunded_at", "refunded_cents"]
    payment.save(update_fields=fields)
    return REFUNDED


def refund_send(*, payment_id: int) -> str:
    """Ask Stripe to refund what is left of a payment being refunded: "refunded", "refused" (back
    to paid, with Stripe's reason), "retry" (Stripe could not be asked; try again later) or
    "nothing to do"."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.status != P.REFUND_PENDING:
        return NOTHING
    if not payment.payment_intent_id:
        return _refused(payment_id, "Stripe never reported which charge paid it; refund it in Stripe's dashboard")
    remaining = payment.amount_cents - payment.refunded_cents
    try:
        refund = stripe_client().v1.refunds.create(
            params={
                "payment_intent": payment.payment_intent_id,
                "amount": remaining,
                "metadata": {"payment_id": str(payment.pk)},
            },
            options={"idempotency_key": refund_key(payment)},
        )
    except TRANSIENT as error:
        logger.info("payment %s: refund not sent yet (%s)", payment_id, type(error).__name__)
        return RETRY
    except stripe.InvalidRequestError as error:
        if error.code == "charge_already_refunded":
            # An earlier request went through (its answer was lost): the charge is refunded.
            return _refunded(payment_id, None)
        return _refused(payment_id, stripe_error_reason(error))
    except stripe.StripeError as error:
        return _refused(payment_id, stripe_error_reason(error))
    if refund.status in ("failed", "canceled"):
        return _refused(payment_id, f"Stripe reported the refund {refund.status}")
    return _refunded(payment_id, refund)


# A refund still waiting this long after it was asked for lost its task (a broker outage, a worker
# that died); a younger one is still in its task's own retries.
REFUND_RESUMED_AFTER = dt.timedelta(minutes=5)


def refunds_waiting(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of payments being refunded whose refund Stripe has not confirmed, asked for more than
    five minutes ago. Sending one again is safe: the row is checked first and the request's
    idempotency key returns the refund already made."""
    cutoff = (now or timezone.now()) - REFUND_RESUMED_AFTER
    waiting = Payment.objects.filter(status=P.REFUND_PENDING, refund_requested_at__lte=cutoff)
    return list(waiting.order_by("id").values_list("pk", flat=True))


def checkout_expire(*, payment_id: int) -> str:
    """Close the Stripe page of a payment given up on (its visit was cancelled), so that nobody
    pays for a visit that will not happen. Stripe closes it by itself within a day if this fails."""
    payment = Payment.objects.filter(pk=payment_id).only("status", "checkout_session_id").first()
    if payment is None or payment.status != P.FAILED or not payment.checkout_session_id:
        return NOTHING
    try:
        stripe_client().v1.checkout.sessions.expire(payment.checkout_session_id)
    except stripe.StripeError as error:
        # Already paid (the webhook settles that) or already closed: nothing more to do here.
        logger.info("payment %s: checkout page not closed (%s)", payment_id, type(error).__name__)
        return NOTHING
    return "expired"
