"""Forms of the clinic's pages: field validation only."""

from __future__ import annotations

from django import forms

from patients.models import ReviewStatus, ScreeningOutcome
from portal.selectors import state_filter_choices


class PatientFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "All"), *state_filter_choices()]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")

    q = forms.CharField(label="Search by name or email", required=False, max_length=100)
    state = forms.ChoiceField(label="State", required=False)  # choices: read once per form, below
    review_status = forms.ChoiceField(label="Review", choices=[("", "All"), *ReviewStatus.choices], required=False)
    screening = forms.ChoiceField(label="Screening", choices=[("", "All"), *ScreeningOutcome.choices], required=False)
    followup = forms.ChoiceField(
        label="Follow-up",
        choices=[("", "All"), ("overdue", "Overdue (due date passed, not done)"), ("due_week", "Due within 7 days")],
        required=False,
    )
