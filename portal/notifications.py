"""Rendering the emails that tell a person to look at the portal. They never carry health
details: the email says only that there is an update (docs/architecture.md "Reminders and the
outbox"). This module renders; the reminder engine (portal.reminders) decides when and sends."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from portal.models import User


def email_render(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of templates/emails/<name>-subject.txt|-body.txt|-body.html."""
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def email_message(*, user: User, name: str, context: dict | None = None) -> EmailMultiAlternatives:
    """The email ``name`` to ``user``, rendered and ready to send (on any connection)."""
    ctx = {"user": user, "site_url": settings.SITE_URL, **(context or {})}
    subject, text, html = email_render(name, ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message
