from __future__ import annotations

import logging
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
