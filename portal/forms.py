"""Form helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from portal.models import US_STATES


class DateInput(forms.DateInput):
    """A date field as the browser's date picker (``<input type="date">``)."""

    input_type = "date"


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_refusal(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal as messages on the next page: each reason of a ValidationError,
    or the sentence a PermissionDenied was raised with. The one way every view reports a refusal
    that has no form field to sit on."""
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc) or "You cannot do that here."]
    for text in texts:
        messages.error(request, text)


class StateCheckForm(forms.Form):
    """The landing page's "Do we serve your state?": a state, before any account exists."""

    state = forms.ChoiceField(
        label="Which state do you live in?",
        choices=[("", "Choose your state")] + [(code, name) for code, name in sorted(US_STATES, key=lambda s: s[1])],
        error_messages={"required": "Choose the state you live in.", "invalid_choice": "Choose a US state."},
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
