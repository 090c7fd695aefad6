"""Notifications that tell a person to look at the portal. They never carry health details:
the email says only that there is an update (DESIGN.md §4)."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from portal.models import User

logger = logging.getLogger(__name__)


def email_render(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of templates/emails/<name>-subject.txt|-body.txt|-body.html."""
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def email_send_to_user(*, user: User, name: str, context: dict | None = None) -> None:
    ctx = {"user": user, "site_url": settings.SITE_URL, **(context or {})}
    subject, text, html = email_render(name, ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def portal_update_notify(*, user_id: int, time_zone: str | None = None) -> None:
    """Tell a person their portal has an update. Only a reminder row is written here (the
    request never talks to the broker); the dispatcher sends it within a minute, inside
    sending hours."""
    from portal.models import Reminder
    from portal.reminders import next_sending_time

    zone = time_zone or settings.TIME_ZONE
    Reminder.objects.create(
        key=f"portal.user:{user_id}:portal-update:{uuid.uuid4().hex}",
        kind="portal-update",
        recipient_id=user_id,
        subject=f"portal.user:{user_id}",
        due_at=next_sending_time(timezone.now(), zone),
        time_zone=zone,
    )
