"""Hooks into django-allauth and django-axes."""

from __future__ import annotations

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib import messages
from django.http import HttpRequest

logger = logging.getLogger(__name__)

MAIL_DOWN_MESSAGE = (
    "We could not send you an email just now because our mail service is not answering. Nothing you "
    "entered is lost: try again in a few minutes (signing in sends a new confirmation link)."
)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Self-service sign-up makes patients only; other roles are created by admins.
        return True

    def save_user(self, request, user, form, commit=True):
        user.role = user.Role.PATIENT
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails (confirmation, password reset) are sent while the person waits. A mail
        outage must not turn sign-up into an error page: the account is kept, the person is told
        what happened and how to get the link again, and the log names the email's kind only."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.warning(
                "Account email %s could not be handed to the mail server", template_prefix.rsplit("/", 1)[-1]
            )
            if allauth_context.request is not None:
                messages.error(allauth_context.request, MAIL_DOWN_MESSAGE, fail_silently=True)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login name axes counts failures against: allauth passes ``email`` in the credentials,
    its form posts ``login``, the Django admin form posts ``username``."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", "login", "username"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None
