"""Forms of the visit note pages: field validation only; the rules live in
patients.visitnotes.services."""

from __future__ import annotations

from django import forms

from patients.models import VisitNote
from patients.models.visit_notes import NOTE_SECTION_MAX


class VisitNoteForm(forms.ModelForm):
    """The draft: the clinician's sections, then what the patient reads."""

    class Meta:
        model = VisitNote
        fields = [
            "subjective",
            "assessment",
            "plan",
            "summary_decided",
            "summary_next_steps",
            "summary_next_visit",
        ]
        labels = {"subjective": "Subjective", "assessment": "Assessment", "plan": "Plan"}
        help_texts = {
            "summary_decided": "The patient reads this on their visits page once you sign. Plain words, no jargon.",
            "summary_next_steps": "What the patient should do before the next visit.",
            "summary_next_visit": "When the next visit is due, or how to book it.",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        help_text="Signed in your name when you save it, and never changed afterwards.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_SECTION_MAX,
    )
