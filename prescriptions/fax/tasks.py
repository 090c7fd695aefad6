"""Workers that fax prescriptions: ids only in the arguments, no health data in logs."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from prescriptions.fax import sending


def _backoff(retries: int) -> int:
    """60 s, 120 s, 240 s … capped at 30 minutes."""
    return min(settings.FAX_RETRY_BACKOFF_SECONDS * 2**retries, 1800)


@shared_task(
    bind=True,
    name="prescriptions.fax.send",
    autoretry_for=(OperationalError,),
    acks_late=True,
    ignore_result=True,
    max_retries=None,  # bounded by the transmission's attempts (FAX_MAX_ATTEMPTS), counted in its row
)
def fax_transmission_send(self, transmission_id: int) -> str:
    outcome = sending.fax_transmission_attempt(transmission_id=transmission_id)
    if outcome == sending.RETRY:
        raise self.retry(countdown=_backoff(self.request.retries))
    if outcome == sending.SENDING:
        fax_transmission_poll.apply_async(args=[transmission_id], countdown=settings.FAX_STATUS_POLL_SECONDS)
    return outcome


@shared_task(bind=True, name="prescriptions.fax.poll", acks_late=True, ignore_result=True, max_retries=None)
def fax_transmission_poll(self, transmission_id: int) -> str:
    outcome = sending.fax_transmission_check(transmission_id=transmission_id)
    if outcome == sending.SENDING:
        if self.request.retries >= settings.FAX_STATUS_POLL_LIMIT:
            sending.fax_transmission_give_up(
                transmission_id=transmission_id, reason="The fax service never confirmed delivery."
            )
            return sending.FAILED
        raise self.retry(countdown=settings.FAX_STATUS_POLL_SECONDS)
    if outcome == sending.RETRY:
        fax_transmission_send.apply_async(args=[transmission_id], countdown=_backoff(0))
    return outcome


@shared_task(name="prescriptions.fax.resume", ignore_result=True)
def fax_transmissions_resume() -> int:
    """Beat: hand the workers the transmissions whose task was lost (a broker outage when the order
    was signed, a killed worker); each attempt claims its row, so a late duplicate does nothing."""
    stalled = sending.fax_transmissions_stalled()
    for transmission_id in stalled:
        fax_transmission_send.delay(transmission_id)
    return len(stalled)
