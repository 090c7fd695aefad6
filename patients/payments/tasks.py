"""Workers for payments: ids only in the arguments, no health data in logs."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from patients.payments import sending

REFUND_RETRIES = 8


def _backoff(retries: int) -> int:
    """60 s, 120 s, 240 s … capped at 30 minutes."""
    return min(60 * 2**retries, 1800)


@shared_task(
    bind=True,
    name="patients.payments.send_refund",
    autoretry_for=(OperationalError,),
    acks_late=True,
    ignore_result=True,
    max_retries=REFUND_RETRIES,  # then the beat's resume keeps asking every five minutes
)
def send_refund(self, payment_id: int) -> str:
    outcome = sending.refund_send(payment_id=payment_id)
    if outcome == sending.RETRY and self.request.retries < REFUND_RETRIES:
        raise self.retry(countdown=_backoff(self.request.retries))
    return outcome


@shared_task(name="patients.payments.expire_checkout", acks_late=True, ignore_result=True)
def expire_checkout(payment_id: int) -> str:
    return sending.checkout_expire(payment_id=payment_id)


@shared_task(name="patients.payments.resume", ignore_result=True)
def resume() -> int:
    """Beat: hand the workers the refunds Stripe has not confirmed (a lost task, a broker outage)."""
    waiting = sending.refunds_waiting()
    for payment_id in waiting:
        send_refund.delay(payment_id)
    return len(waiting)
