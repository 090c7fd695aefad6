from __future__ import annotations

import logging
import socket

from celery import shared_task
from django.utils import timezone

from portal.license_reminders import license_reminders_schedule
from portal.models import WorkerHeartbeat
from portal.reminders import reminders_dispatch, reminders_mark_failed, reminders_send

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
    return reminders_dispatch(publish=publish_sends)


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
    failed = reminders_send(reminder_ids)["failed"]
    if not failed:
        return
    if self.request.retries >= self.max_retries:
        reminders_mark_failed(failed, reason="delivery failed after retries")
        return
    raise self.retry(args=[failed], countdown=min(300, 10 * 2**self.request.retries))


def publish_sends(reminder_ids: list[int]) -> None:
    """How the reminder engine hands a claimed chunk to the workers."""
    send_reminders.apply_async(args=[reminder_ids], retry=False)


@shared_task(name="portal.tasks.schedule_license_reminders", ignore_result=True)
def schedule_license_reminders() -> int:
    return license_reminders_schedule()


@shared_task(name="portal.tasks.noop", ignore_result=True)
def noop() -> None:
    """Does nothing: the benchmark's baseline for what one task costs on this worker."""
