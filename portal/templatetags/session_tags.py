"""The session-expiry warning's numbers for the base template (portal/session_expiry.py)."""

from __future__ import annotations

from django import template
from django.conf import settings

from portal.session_expiry import DRAFT_KEEP_SECONDS, WARNING_SECONDS, session_seconds_left

register = template.Library()


@register.simple_tag(takes_context=True)
def seconds_left(context) -> int:
    """``{% seconds_left %}``: seconds until the signed-in session of this page ends."""
    return session_seconds_left(context["request"].session)


@register.simple_tag
def session_warning_seconds() -> int:
    return WARNING_SECONDS


@register.simple_tag
def session_idle_minutes() -> int:
    return settings.SESSION_COOKIE_AGE // 60


@register.simple_tag
def draft_max_age_seconds() -> int:
    """How long a message kept when a session ended may wait for its writer to sign back in."""
    return DRAFT_KEEP_SECONDS
