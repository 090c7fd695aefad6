"""Forms of the profile: field shapes and autocomplete tokens only; the rules live in
patients.profile.services."""

from __future__ import annotations

from django import forms

from patients.intake.forms import AddressFields, ContactFields
from portal.forms import DateInput
from portal.models import US_STATES

STATES_BY_NAME = sorted(US_STATES, key=lambda s: s[1])


class ContactForm(ContactFields):
    """Phone and street address; the state changes only by moving."""


class HealthAnswersForm(forms.Form):
    """Medicines and allergies as the intake asked them; the service checks the combinations."""

    takes_opioids = forms.BooleanField(
        label="I take an opioid pain medicine, or have taken one since my intake (including tramadol, codeine, "
        "hydrocodone, oxycodone, morphine, fentanyl, methadone or buprenorphine)",
        required=False,
    )
    opioid_names = forms.CharField(label="Which opioid(s)?", max_length=200, required=False)
    opioid_last_dose = forms.DateField(
        label="Date of your last opioid dose",
        widget=DateInput,
        required=False,
        help_text="If you still take it, enter today's date.",
        error_messages={"invalid": "Enter the date of your last dose, with day, month and year."},
    )
    other_medications = forms.CharField(
        label="Other medicines and supplements",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Everything else you take, with the dose if you know it.",
    )
    no_known_allergies = forms.BooleanField(label="I have no known allergies", required=False)
    allergies = forms.CharField(
        label="Allergies (medicines, foods, fillers) and what happens",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MoveStateForm(forms.Form):
    """The first question of moving: which state the patient now lives in."""

    state = forms.ChoiceField(
        label="Which state do you live in now?",
        choices=[("", "Choose your new state"), *STATES_BY_NAME],
        error_messages={"required": "Choose the state you have moved to.", "invalid_choice": "Choose a US state."},
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )


class MoveConfirmForm(AddressFields):
    """The new address in the new state, and the patient's confirmation of what will happen."""

    state = forms.ChoiceField(choices=STATES_BY_NAME, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="I live in this state now, and I understand what changes",
        error_messages={"required": "Tick the box to confirm you have moved and understand what changes."},
    )
