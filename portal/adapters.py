"""Hooks into django-allauth and django-axes."""

from __future__ import annotations

import datetime as dt

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import timezone

from portal.models import Reminder, User
from portal.reminders import register_reminder_kind, sealed_email_send
from portal.tasks import publish_sends

ACCOUNT_EMAIL = "account-email"

# An account email not sent within this time is dropped: its link has expired or been asked for
# again by then, and a stale "confirm your email" a day late only confuses.
ACCOUNT_EMAIL_STALE_AFTER = dt.timedelta(hours=12)


def account_email_stale(reminder: Reminder) -> str | None:
    if timezone.now() - reminder.created_at > ACCOUNT_EMAIL_STALE_AFTER:
        return "account email older than 12 hours (its link is stale)"
    return None


def register() -> None:
    # Sent at any hour: the person is waiting for it.
    register_reminder_kind(ACCOUNT_EMAIL, check=account_email_stale, quiet_hours=False)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Self-service sign-up makes patients only; other roles are created by admins.
        return True

    def save_user(self, request, user, form, commit=True):
        user.role = user.Role.PATIENT
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails (confirmation, password reset, unknown account) go through the outbox
        like every other email: rendered here, kept encrypted in their row (the link signs a
        person in) and handed to a worker when the request commits. A mail outage no longer
        touches the request: the row is retried until the mail server answers."""
        message = self.render_mail(template_prefix, email, context)
        user = context.get("user")
        recipient = user if isinstance(user, User) and user.pk else User.objects.filter(email__iexact=email).first()
        sealed_email_send(message, kind=ACCOUNT_EMAIL, recipient=recipient, publish=publish_sends)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login name axes counts failures against: allauth passes ``email`` in the credentials,
    its form posts ``login``, the Django admin form posts ``username``."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", "login", "username"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None
