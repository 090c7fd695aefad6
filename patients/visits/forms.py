"""Forms of the visit pages: field validation only; the rules live in patients.visits.services."""

from __future__ import annotations

import datetime as dt

from django import forms

from patients.intake.forms import US_TIME_ZONES
from patients.models import Weekday
from patients.visits.services import Outcome
from portal.models import US_STATES

STATE_CHOICES = [("", "Choose a state"), *US_STATES]


class LocationForm(forms.Form):
    state = forms.ChoiceField(
        label="Where will you be during the visit?",
        choices=STATE_CHOICES,
        help_text="The state you will physically be in, even if it is not where you live. "
        "Our physicians may only see you in a state where they are licensed.",
        error_messages={"required": "Choose the state you will be in during the visit."},
    )


def parse_slot(value: str) -> tuple[int, dt.datetime]:
    """``"<physician id>-<unix seconds>"`` → (physician id, start in UTC)."""
    try:
        physician_id, stamp = (int(part) for part in value.split("-"))
        return physician_id, dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise forms.ValidationError("Choose one of the times offered.") from exc


class SlotForm(LocationForm):
    slot = forms.CharField(
        max_length=40, widget=forms.HiddenInput, error_messages={"required": "Choose one of the times offered."}
    )

    def clean_slot(self):
        return parse_slot(self.cleaned_data["slot"])


class JoinForm(forms.Form):
    state = forms.ChoiceField(
        label="Which state are you in right now?",
        choices=STATE_CHOICES,
        error_messages={"required": "Tell us which state you are in right now."},
    )
    confirm = forms.BooleanField(
        label="I confirm that I am in this state now and will stay in it during the visit.",
        error_messages={"required": "Please confirm where you are."},
    )


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label="Your time zone", choices=US_TIME_ZONES[1:])


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label="From", widget=TimeInput)
    end_time = forms.TimeField(label="Until", widget=TimeInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start (hours cannot run past midnight).")
        return data


class TimeOffForm(forms.Form):
    """Times are read in the physician's zone: the view activates it while the form is cleaned."""

    starts_at = forms.DateTimeField(label="From", widget=DateTimeLocalInput)
    ends_at = forms.DateTimeField(label="Until", widget=DateTimeLocalInput)
    reason = forms.CharField(label="Reason (private to the practice, optional)", max_length=120, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The end must be after the start.")
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="How did the visit go?", choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Outcome note (optional, short)",
        help_text="A line for the practice, such as why the patient did not attend. "
        "The clinical record is the visit note.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )


class CancelByPhysicianForm(forms.Form):
    note = forms.CharField(
        label="Note to the patient",
        help_text="Why the visit is cancelled and what to do next; the patient reads it on their visits page.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "Tell the patient why the visit is cancelled and what to do next."},
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Outcome note", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )
