"""Forms of the order pages: field validation only; the rules live in prescriptions.orders.services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.forms import DateInput
from portal.models import US_STATES
from prescriptions.models import Filler, Formulation
from prescriptions.orders.icd10 import COMMON_CODES, normalize_code
from prescriptions.orders.shipping import TRACKING_FORMATS, Carrier

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


class VerificationForm(forms.Form):
    """The pharmacist's checklist before compounding; the page shows the facts beside each item."""

    prescriber_confirmed = forms.BooleanField(
        label="I checked the prescriber, the NPI and the signature",
        error_messages={"required": "Confirm the prescriber and the signature before compounding."},
    )
    patient_confirmed = forms.BooleanField(
        label="I checked the patient's name and date of birth",
        error_messages={"required": "Confirm the patient's identity before compounding."},
    )
    allergies_confirmed = forms.BooleanField(
        label="I reviewed the allergies and the other medicines",
        error_messages={"required": "Confirm the allergies and other medicines before compounding."},
    )
    dose_confirmed = forms.BooleanField(
        label="I checked the dose arithmetic against the plan",
        error_messages={"required": "Confirm the dose arithmetic before compounding."},
    )


class CompoundingRecordForm(forms.Form):
    lot_number = forms.CharField(label="Lot number", max_length=32)
    compounded_on = forms.DateField(label="Compounded on", widget=DateInput)
    beyond_use_date = forms.DateField(
        label="Beyond-use date", widget=DateInput, help_text="After the compounding date; at most 180 days after it."
    )
    compounded_by = forms.CharField(label="Compounded by (name or initials)", max_length=80)
    checked_by = forms.CharField(
        label="Checked by (name or initials)", max_length=80, help_text="A second person, not who compounded it."
    )
    correction_reason = forms.CharField(
        label="Why this corrects the current record", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, correcting: bool = False, **kwargs):
        kwargs.setdefault("initial", {"compounded_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["correction_reason"]


class ShipmentForm(forms.Form):
    carrier = forms.ChoiceField(
        label="Carrier",
        choices=[("", "Choose the carrier"), *Carrier.choices],
        error_messages={"required": "Choose the carrier.", "invalid_choice": "Choose the carrier from the list."},
    )
    tracking_number = forms.CharField(
        label="Tracking number",
        max_length=64,
        help_text="; ".join(f"{Carrier(c).label}: {words}" for c, (_, words) in TRACKING_FORMATS.items()) + ".",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
