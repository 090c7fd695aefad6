"""Forms of the order pages: field validation only; the rules live in prescriptions.orders.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from portal.forms import DateInput
from portal.models import US_STATES
from prescriptions.models import Filler, Formulation
from prescriptions.orders.icd10 import COMMON_CODES, normalize_code

ALLOWED_FILLERS = [(Filler.MICROCRYSTALLINE_CELLULOSE, Filler.MICROCRYSTALLINE_CELLULOSE.label)] + [
    (f.value, f.label) for f in (Filler.RICE_FLOUR, Filler.ACIDOPHILUS)
]


class OrderForm(forms.Form):
    capsule_strength_mg = forms.DecimalField(
        label="Strength (mg per capsule)",
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "9"}),
        help_text="Every dose must be a whole number of capsules.",
    )
    filler = forms.ChoiceField(
        label="Filler",
        choices=ALLOWED_FILLERS,
        initial=Filler.MICROCRYSTALLINE_CELLULOSE,
        help_text="Calcium carbonate and slow-release fillers are never used for LDN.",
    )
    concentration_mg_per_ml = forms.DecimalField(
        label="Concentration (mg per mL)",
        max_digits=4,
        decimal_places=2,
        initial=Decimal("1.0"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "5"}),
    )
    supply_start = forms.DateField(label="Supply starts on", widget=DateInput)
    days_supply = forms.IntegerField(label="Days supply", min_value=1, max_value=365, initial=30)
    refills = forms.IntegerField(label="Refills", min_value=0, max_value=99, initial=0)
    indication_code = forms.CharField(
        label="Indication (ICD-10-CM code)",
        max_length=8,
        widget=forms.TextInput(attrs={"list": "icd10-suggestions", "autocomplete": "off"}),
        help_text="e.g. M79.7 fibromyalgia; the patient's conditions are suggested first.",
    )
    indication_text = forms.CharField(
        label="Indication (words)", max_length=200, required=False, help_text="Filled in for the common codes."
    )
    ship_to_name = forms.CharField(label="Ship to: name", max_length=128)
    ship_to_line1 = forms.CharField(label="Street address", max_length=128)
    ship_to_line2 = forms.CharField(label="Apartment, suite (optional)", max_length=128, required=False)
    ship_to_city = forms.CharField(label="City", max_length=64)
    ship_to_state = forms.ChoiceField(label="State", choices=[("", "Choose a state"), *US_STATES])
    ship_to_postal_code = forms.CharField(label="ZIP code", max_length=10)

    def __init__(self, *args, formulation: str, **kwargs):
        super().__init__(*args, **kwargs)
        if formulation == Formulation.CAPSULE:
            del self.fields["concentration_mg_per_ml"]
        else:
            del self.fields["capsule_strength_mg"]
            del self.fields["filler"]

    def clean_indication_code(self):
        return normalize_code(self.cleaned_data["indication_code"])

    def clean(self):
        data = super().clean()
        code = data.get("indication_code")
        if code and not data.get("indication_text"):
            if code not in COMMON_CODES:
                self.add_error("indication_text", "Describe the indication in words for this code.")
            else:
                data["indication_text"] = COMMON_CODES[code]
        return data


class SignForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = forms.CharField(
        label="or the 6-digit code from your authenticator app",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    hold = forms.BooleanField(
        label="Hold it: sign now, send to the pharmacy later",
        required=False,
        help_text="For example until the follow-up visit. Otherwise it goes to the pharmacy at once.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("otp_code"):
            raise ValidationError("Enter your password or the code from your authenticator app to sign.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, label: str = "Note", required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = label
        self.fields["note"].required = required


class RefillRequestForm(forms.Form):
    note = forms.CharField(
        label="Anything your care team should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
