from __future__ import annotations

import logging
import smtplib
import socket

from celery import shared_task
from django.utils import timezone

from portal.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@shared_task(name="portal.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by beat every minute: proves that beat schedules and a worker executes."""
    WorkerHeartbeat.objects.update_or_create(
        name="beat", defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
    )
    logger.info("beat heartbeat: worker alive")


@shared_task(name="portal.tasks.ping", ignore_result=False)
def ping() -> str:
    return "pong"


@shared_task(name="portal.tasks.dispatch_reminders", ignore_result=True)
def dispatch_reminders() -> int:
    """Beat runs this every minute; a second beat started by mistake is harmless (row claims)."""
    from portal.reminders import reminders_dispatch

    return reminders_dispatch()


@shared_task(
    bind=True,
    name="portal.tasks.send_reminders",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
)
def send_reminders(self, reminder_ids: list[int]) -> None:
    """Deliver a chunk of queued reminders. Ids only: the rows hold everything else. Delivery
    errors are retried with exponential backoff (capped at five minutes); after the last try the
    rows are marked failed so an admin can resend them."""
    from portal.reminders import reminder_mark_failed, reminder_send

    failed: list[int] = []
    for reminder_id in reminder_ids:
        try:
            reminder_send(reminder_id)
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning("reminder %s delivery failed: %s", reminder_id, type(exc).__name__)
            failed.append(reminder_id)
    if not failed:
        return
    if self.request.retries >= self.max_retries:
        for reminder_id in failed:
            reminder_mark_failed(reminder_id, reason="delivery failed after retries")
        return
    raise self.retry(args=[failed], countdown=min(300, 10 * 2**self.request.retries))


@shared_task(name="portal.tasks.schedule_license_reminders", ignore_result=True)
def schedule_license_reminders() -> int:
    from portal.license_reminders import license_reminders_schedule

    return license_reminders_schedule()


@shared_task(name="portal.tasks.noop", ignore_result=True)
def noop() -> None:
    """Does nothing: the benchmark's baseline for what one task costs on this worker."""
