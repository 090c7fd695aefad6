"""Hooks into django-allauth and django-axes."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Self-service sign-up makes patients only; other roles are created by admins.
        return True

    def save_user(self, request, user, form, commit=True):
        user.role = user.Role.PATIENT
        return super().save_user(request, user, form, commit=commit)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login name axes counts failures against: allauth passes ``email`` in the credentials,
    its form posts ``login``, the Django admin form posts ``username``."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", "login", "username"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None
