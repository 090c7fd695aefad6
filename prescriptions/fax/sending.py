"""Sending one fax transmission: render and keep the PDF, hand it to the backend, record what the
fax service answered (docs/domain.md "Orders by fax"). Called by the workers in
``prescriptions.fax.tasks`` with a transmission id; never from a request."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.reminders import portal_update_notify
from prescriptions.fax.backends import FaxHandOver, FaxSendError, get_fax_backend
from prescriptions.fax.pdf import prescription_pdf
from prescriptions.models import FaxTransmission, OrderStatus

logger = logging.getLogger(__name__)
T = FaxTransmission.Status

# What a worker does next with a transmission.
SENT, SENDING, RETRY, FAILED, NOTHING = "sent", "sending", "retry", "failed", "nothing to do"

# An order that stopped is not faxed: the pharmacy would fill a prescription that was withdrawn.
STOPPED_ORDER = {OrderStatus.CANCELLED: "The order was cancelled", OrderStatus.REJECTED: "The order was rejected"}

# An attempt that has not recorded the service's answer after this long died on the way (a worker
# killed mid-send); a redelivered task then finds it. The fax may have gone out, so it is not sent
# again by itself: a physician checks with the pharmacy and sends it again.
ATTEMPT_ABANDONED_AFTER = dt.timedelta(minutes=10)
OUTCOME_UNKNOWN = (
    "The attempt stopped before the fax service's answer was recorded, so the fax may have gone out. "
    "Check with the pharmacy before sending it again."
)


def _fail(transmission: FaxTransmission, reason: str) -> str:
    transmission.status, transmission.reason, transmission.failed_at = T.FAILED, reason[:300], timezone.now()
    transmission.save(update_fields=["status", "reason", "failed_at"])
    # The prescriber hears of it through the content-free "update in your portal" email, written in
    # the failure's own transaction so that it cannot be lost (docs/architecture.md "Reminders and
    # the outbox"); the clinic lists the failure until someone sends it again.
    portal_update_notify(user_id=transmission.order.prescriber_id)
    logger.warning("fax transmission %s for order %s failed", transmission.pk, transmission.order_id)
    return FAILED


def _after_failure(transmission: FaxTransmission, error: FaxSendError) -> str:
    if error.permanent or transmission.attempts >= settings.FAX_MAX_ATTEMPTS:
        return _fail(transmission, error.reason)
    # Kept as the last reason while it waits for the next attempt.
    transmission.status, transmission.reason = T.QUEUED, error.reason
    transmission.save(update_fields=["status", "reason"])
    return RETRY


def _abandoned(transmission: FaxTransmission) -> bool:
    return (
        transmission.status == T.SENDING
        and not transmission.provider_id
        and transmission.last_attempt_at is not None
        and transmission.last_attempt_at < timezone.now() - ATTEMPT_ABANDONED_AFTER
    )


def _claim(transmission_id: int) -> tuple[FaxTransmission | None, str]:
    with transaction.atomic():
        transmission = (
            FaxTransmission.objects.select_for_update(of=("self",))
            .select_related("order", "pharmacy")
            .filter(pk=transmission_id)
            .first()
        )
        if transmission is None:
            return None, NOTHING
        if _abandoned(transmission):
            return None, _fail(transmission, OUTCOME_UNKNOWN)
        # A duplicate or late task finds the row already taken or settled, and does nothing.
        if transmission.status != T.QUEUED:
            return None, NOTHING
        if transmission.order.status in STOPPED_ORDER:
            return None, _fail(transmission, f"{STOPPED_ORDER[transmission.order.status]} before the fax went out.")
        if not transmission.document:
            pdf = prescription_pdf(transmission.order)
            transmission.document.save(f"{transmission.order.number}-{transmission.pk}.pdf", ContentFile(pdf.content))
            transmission.document_sha256, transmission.page_count = pdf.sha256, pdf.pages
        transmission.status = T.SENDING
        transmission.attempts += 1
        transmission.last_attempt_at = timezone.now()
        transmission.backend = settings.FAX_BACKEND
        transmission.save()
        return transmission, ""


def fax_transmission_attempt(*, transmission_id: int) -> str:
    """One attempt at sending: "sent", "sending" (the service reports delivery later), "retry"
    (try again after a pause), "failed" (for good) or "nothing to do"."""
    transmission, outcome = _claim(transmission_id)
    if transmission is None:
        return outcome
    try:
        with transmission.document.open("rb") as document:
            pdf = document.read()
        # Outside any transaction: a slow fax service holds no row lock.
        handed: FaxHandOver = get_fax_backend().send(
            transmission_id=transmission.pk,
            order_id=transmission.order_id,
            to_number=transmission.to_number,
            pdf=pdf,
            pages=transmission.page_count,
        )
    except FaxSendError as error:
        with transaction.atomic():
            return _after_failure(transmission, error)
    except Exception:
        # Not left "sending" for ever, and not sent again by itself: the fax may have gone out.
        logger.exception("fax transmission %s for order %s: unexpected error", transmission.pk, transmission.order_id)
        with transaction.atomic():
            return _fail(transmission, OUTCOME_UNKNOWN)
    with transaction.atomic():
        transmission.provider_id = handed.provider_id[:100]
        transmission.reason = ""
        fields = ["provider_id", "reason"]
        if handed.delivered:
            transmission.status, transmission.sent_at = T.SENT, timezone.now()
            fields += ["status", "sent_at"]
        transmission.save(update_fields=fields)
    return SENT if handed.delivered else SENDING


def fax_transmission_check(*, transmission_id: int) -> str:
    """Ask the fax service how a fax it accepted went: "sent", "sending" (ask again later),
    "retry" (it failed; send it again) or "failed"."""
    transmission = FaxTransmission.objects.select_related("order").filter(pk=transmission_id).first()
    if transmission is None or transmission.status != T.SENDING or not transmission.provider_id:
        return NOTHING
    try:
        status = get_fax_backend().status(provider_id=transmission.provider_id)
    except FaxSendError as error:
        # The service could not be asked: ask again later, the fax itself may be fine.
        logger.info("fax transmission %s: status not available (%s)", transmission.pk, error.reason)
        return SENDING
    with transaction.atomic():
        transmission = (
            FaxTransmission.objects.select_for_update(of=("self",)).select_related("order").get(pk=transmission_id)
        )
        if transmission.status != T.SENDING:
            return NOTHING
        if status.state == "delivered":
            transmission.status, transmission.sent_at = T.SENT, timezone.now()
            transmission.save(update_fields=["status", "sent_at"])
            return SENT
        if status.state == "failed":
            return _after_failure(transmission, FaxSendError(status.reason or "The fax service reported a failure."))
    return SENDING


def fax_transmission_give_up(*, transmission_id: int, reason: str) -> None:
    """The worker stopped asking (the service never confirmed delivery): record it as failed."""
    with transaction.atomic():
        transmission = (
            FaxTransmission.objects.select_for_update(of=("self",)).select_related("order").get(pk=transmission_id)
        )
        if transmission.status in (T.SENDING, T.QUEUED):
            _fail(transmission, reason)


# A queued row untouched this long lost its task (a broker outage at commit, a lost message); a row
# waiting for a retry is touched again within the 30-minute backoff cap.
QUEUED_STALE_AFTER = dt.timedelta(minutes=35)


def fax_transmissions_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of transmissions whose worker never came: queued and untouched, or an attempt that died
    before it recorded the service's answer (``fax_transmission_attempt`` fails those for the
    physician rather than sending them again)."""
    now = now or timezone.now()
    stale = now - QUEUED_STALE_AFTER
    queued = Q(status=T.QUEUED) & (
        Q(last_attempt_at__lt=stale) | Q(last_attempt_at__isnull=True, created_at__lt=now - ATTEMPT_ABANDONED_AFTER)
    )
    abandoned = Q(status=T.SENDING, provider_id="", last_attempt_at__lt=now - ATTEMPT_ABANDONED_AFTER)
    return list(FaxTransmission.objects.filter(queued | abandoned).order_by("id").values_list("pk", flat=True))
