"""Field validation and layout only; the rules live in services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from patients.followups.services import FOLLOWUP_DEFAULT_DAYS, FOLLOWUP_MAX_DAYS, FOLLOWUP_MIN_DAYS
from portal.models import US_STATES
from prescriptions.dosing import MAX_STEPS, Step
from prescriptions.icd10 import COMMON_CODES, normalize_code
from prescriptions.models import DosingTime, Filler, Formulation, Pharmacy, PlanTemplate


class DateInput(forms.DateInput):
    input_type = "date"


class PharmacyChoiceForm(forms.Form):
    pharmacy = forms.ModelChoiceField(
        label="Preferred compounding pharmacy",
        queryset=Pharmacy.objects.none(),
        required=False,
        empty_label="No preference: let the practice choose",
        widget=forms.RadioSelect,
        # Without blank=True a radio list drops the "no preference" choice.
        blank=True,
    )

    def __init__(self, *args, pharmacies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies if pharmacies is not None else Pharmacy.objects.none()


# --- titration plans ---------------------------------------------------------------------------


class PlanForm(forms.Form):
    template = forms.ChoiceField(
        label="Schedule", choices=PlanTemplate.choices, initial=PlanTemplate.STANDARD, widget=forms.RadioSelect
    )
    formulation = forms.ChoiceField(
        label="Formulation", choices=Formulation.choices, initial=Formulation.ORAL_LIQUID, widget=forms.RadioSelect
    )
    dosing_time = forms.ChoiceField(
        label="When to take it",
        choices=DosingTime.choices,
        initial=DosingTime.BEDTIME,
        widget=forms.RadioSelect,
        help_text="Bedtime by default; morning when LDN disturbs sleep (vivid dreams, insomnia).",
    )
    start_date = forms.DateField(label="First day of this plan", widget=DateInput)
    followup_due_in_days = forms.IntegerField(
        label="Follow-up visit due after (days)",
        min_value=FOLLOWUP_MIN_DAYS,
        max_value=FOLLOWUP_MAX_DAYS,
        initial=FOLLOWUP_DEFAULT_DAYS,
        help_text=f"{FOLLOWUP_MIN_DAYS}–{FOLLOWUP_MAX_DAYS} days after the start or the dose change.",
    )
    high_dose_reason = forms.CharField(
        label="Reason for a dose above 4.5 mg",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when any step is above 4.5 mg.",
    )
    override_reason = forms.CharField(
        label="Screening override reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the screening deferred treatment or found the patient not eligible.",
    )
    note = forms.CharField(
        label="Why this plan or change (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(forms.Form):
    dose_mg = forms.DecimalField(
        label="Dose (mg)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.5", "max": "9"}),
    )
    days = forms.IntegerField(
        label="Days (empty for the maintenance step)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"min": "7", "max": "21"}),
    )


StepFormSet = forms.formset_factory(StepForm, extra=0, min_num=MAX_STEPS, max_num=MAX_STEPS, validate_max=True)


def steps_from_formset(formset) -> list[Step]:
    """The hand-written steps: filled rows in order; a row with days but no dose is an error."""
    steps = []
    for number, row in enumerate(formset.cleaned_data, start=1):
        dose, days = row.get("dose_mg"), row.get("days")
        if dose is None and days is None:
            continue
        if dose is None:
            raise ValidationError(f"Row {number}: enter the dose.")
        steps.append(Step(dose, days))
    return steps


# --- orders ------------------------------------------------------------------------------------

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


class PharmacyActionForm(forms.Form):
    to = forms.ChoiceField(choices=[])
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    carrier = forms.CharField(label="Carrier", required=False, max_length=64)
    tracking_number = forms.CharField(label="Tracking number", required=False, max_length=64)

    def __init__(self, *args, statuses: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = statuses


class RefillRequestForm(forms.Form):
    note = forms.CharField(
        label="Anything your care team should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
