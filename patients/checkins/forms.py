"""The PEG-3 check-in form: field validation only."""

from __future__ import annotations

from django import forms

from patients.checkins.widgets import ScaleButtons
from patients.models import CheckIn, RedFlag, Severity, SideEffect
from portal.forms import DateInput

# What the two ends of each 0–10 answer mean, shown at the ends of its row of buttons.
PEG_ENDS = {
    "pain": ("no pain", "pain as bad as you can imagine"),
    "enjoyment": ("does not get in the way", "completely gets in the way"),
    "activity": ("does not get in the way", "completely gets in the way"),
}


PEG_LABELS = {
    "pain": "On average over the past week, how bad has your pain been?",
    "enjoyment": "Over the past week, how much has pain got in the way of enjoying life?",
    "activity": "Over the past week, how much has pain got in the way of your general activity?",
}


def peg_field(item: str) -> forms.IntegerField:
    """One PEG answer, a whole number from 0 to 10, chosen with a row of buttons."""
    low, high = PEG_ENDS[item]
    return forms.IntegerField(
        label=PEG_LABELS[item],
        min_value=0,
        max_value=10,
        widget=ScaleButtons(low=low, high=high),
        error_messages={
            "required": "Please answer with a number from 0 to 10.",
            "min_value": "Use a number from 0 to 10.",
            "max_value": "Use a number from 0 to 10.",
            "invalid": "Use a whole number from 0 to 10.",
        },
    )


class CheckInForm(forms.Form):
    pain = peg_field("pain")
    enjoyment = peg_field("enjoyment")
    activity = peg_field("activity")
    side_effects = forms.MultipleChoiceField(
        label="Side effects this week (tick any)",
        choices=SideEffect.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    side_effect_other = forms.CharField(label="Other side effect", max_length=200, required=False)
    side_effect_severity = forms.ChoiceField(
        label="How bad were the side effects?",
        choices=Severity.choices,
        initial=Severity.NONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how bad the side effects were (None if you had none)."},
    )
    opioid_use = forms.TypedChoiceField(
        label=(
            "Since your last check-in, have you taken any opioid pain medicine? For example tramadol, "
            "codeine, hydrocodone, oxycodone, morphine or fentanyl, prescribed or not."
        ),
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer yes or no: it matters for your safety."},
    )
    opioid_names = forms.CharField(label="If yes: which one?", max_length=200, required=False)
    opioid_last_taken = forms.DateField(
        label="If yes: the day you last took it",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter the day as a date, for example 2026-12-05."},
    )
    red_flags = forms.MultipleChoiceField(
        label="Do you have any of these now? (tick any)",
        choices=RedFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Anything else your physician should know? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    kind = forms.ChoiceField(
        choices=[(CheckIn.Kind.WEEKLY, "Weekly"), (CheckIn.Kind.FOLLOW_UP, "Follow-up")],
        initial=CheckIn.Kind.WEEKLY,
        widget=forms.HiddenInput,
    )
