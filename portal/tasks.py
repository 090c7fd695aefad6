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


@shared_task(
    name="portal.tasks.send_portal_update_email",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
    acks_late=True,
)
def send_portal_update_email(user_id: int) -> None:
    from portal.models import User
    from portal.notifications import email_send_to_user

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    email_send_to_user(user=user, name="portal-update")
