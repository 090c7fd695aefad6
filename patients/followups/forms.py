"""The recall list's form: what happened when the care team tried to reach a patient."""

from __future__ import annotations

from django import forms

from patients.followups.services import RECALL_NOTE_MAX_LENGTH
from patients.models import RecallContact


class RecallContactForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[("", "Choose…"), *RecallContact.Outcome.choices],
        error_messages={"required": "Choose what happened when you tried to reach the patient."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=RECALL_NOTE_MAX_LENGTH,
        help_text='For the care team, e.g. "will call back after 3 pm". The patient does not see it.',
    )
