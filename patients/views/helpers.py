"""Small pieces the visit and message views share."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@contextmanager
def shown_in(zone_name: str) -> Iterator[zoneinfo.ZoneInfo]:
    """Render times (and read typed-in times) in one person's zone."""
    zone = zoneinfo.ZoneInfo(zone_name)
    with timezone.override(zone):
        yield zone
