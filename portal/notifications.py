"""Notifications that tell a person to look at the portal. They never carry health details:
the email says only that there is an update (DESIGN.md §4)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

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


def portal_update_notify(*, user_id: int) -> None:
    """After the current transaction commits, email the user that their portal has an update.
    A broker outage must not break the request that caused the update: the failure is logged
    (without health data) and the page still answers."""

    def enqueue() -> None:
        from portal.tasks import send_portal_update_email

        try:
            send_portal_update_email.delay(user_id)
        except Exception:  # noqa: BLE001 - the broker being down must not fail the request
            logger.warning("portal update email for user %s could not be queued", user_id)

    transaction.on_commit(enqueue)
