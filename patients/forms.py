"""Field validation and layout only; the rules live in services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from patients.models import CheckIn, Condition, ReviewStatus, ScreeningOutcome, SideEffect
from portal.models import US_STATES
from portal.selectors import state_filter_choices

US_TIME_ZONES = [
    ("", "Use my state's usual time zone"),
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona (no daylight saving)"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
]

PHONE_RE = re.compile(r"^\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}$")
ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")

PEG_HELP = {
    "pain": "0 = no pain, 10 = pain as bad as you can imagine",
    "enjoyment": "0 = does not get in the way, 10 = completely gets in the way",
    "activity": "0 = does not get in the way, 10 = completely gets in the way",
}
PEG_LABELS = {
    "pain": "On average over the past week, how bad has your pain been?",
    "enjoyment": "Over the past week, how much has pain got in the way of enjoying life?",
    "activity": "Over the past week, how much has pain got in the way of your general activity?",
}


def peg_field(item: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=PEG_LABELS[item],
        help_text=PEG_HELP[item],
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "required": "Please answer with a number from 0 to 10.",
            "min_value": "Use a number from 0 to 10.",
            "max_value": "Use a number from 0 to 10.",
            "invalid": "Use a whole number from 0 to 10.",
        },
    )


class DateInput(forms.DateInput):
    input_type = "date"


class AboutForm(forms.Form):
    legal_first_name = forms.CharField(label="Legal first name", max_length=64)
    legal_last_name = forms.CharField(label="Legal last name", max_length=64)
    date_of_birth = forms.DateField(label="Date of birth", widget=DateInput)
    phone = forms.CharField(label="Mobile phone", max_length=32, help_text="US number, e.g. 512-555-0100")
    address_line1 = forms.CharField(label="Street address", max_length=128)
    address_line2 = forms.CharField(label="Apartment, suite (optional)", max_length=128, required=False)
    city = forms.CharField(max_length=64)
    state_code = forms.ChoiceField(label="State where you live", choices=[("", "Choose your state"), *US_STATES])
    postal_code = forms.CharField(label="ZIP code", max_length=10)
    timezone = forms.ChoiceField(label="Your time zone", choices=US_TIME_ZONES, required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(phone):
            raise forms.ValidationError("Enter a 10-digit US phone number, e.g. 512-555-0100.")
        return phone

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if not ZIP_RE.match(code):
            raise forms.ValidationError("Enter a 5-digit ZIP code (or ZIP+4).")
        return code

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate() or born.year < 1900:
            raise forms.ValidationError("Enter your real date of birth.")
        return born


class ConditionsForm(forms.Form):
    conditions = forms.MultipleChoiceField(
        label="Which conditions cause your pain?",
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one condition, or “Other” and describe it."},
    )
    condition_other = forms.CharField(label="Other condition", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if "other" in data.get("conditions", []) and not data.get("condition_other", "").strip():
            self.add_error("condition_other", "Describe the other condition.")
        return data


class PainForm(forms.Form):
    peg_pain = peg_field("pain")
    peg_enjoyment = peg_field("enjoyment")
    peg_activity = peg_field("activity")


class MedicationsForm(forms.Form):
    takes_opioids = forms.BooleanField(
        label="I have taken an opioid pain medicine in the last 30 days (including tramadol, codeine, "
        "hydrocodone, oxycodone, morphine, fentanyl, methadone or buprenorphine)",
        required=False,
    )
    opioid_names = forms.CharField(label="Which opioid(s)?", max_length=200, required=False)
    opioid_last_dose = forms.DateField(
        label="Date of your last opioid dose", widget=DateInput, required=False,
        help_text="If you still take it, enter today's date.",
    )  # fmt: skip
    takes_immunosuppressants = forms.BooleanField(label="I take immunosuppressant medicine", required=False)
    immunosuppressant_names = forms.CharField(label="Which immunosuppressant(s)?", max_length=200, required=False)
    takes_thyroid_medication = forms.BooleanField(label="I take thyroid medicine", required=False)
    thyroid_medication_names = forms.CharField(label="Which thyroid medicine?", max_length=200, required=False)
    other_medications = forms.CharField(
        label="Other medicines and supplements (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("takes_opioids"):
            if not data.get("opioid_names", "").strip():
                self.add_error("opioid_names", "Name the opioid medicine.")
            last = data.get("opioid_last_dose")
            if last is None and "opioid_last_dose" not in self.errors:
                self.add_error("opioid_last_dose", "Enter the date of your last dose (today if you still take it).")
            elif last and last > timezone.localdate() + dt.timedelta(days=1):
                self.add_error("opioid_last_dose", "The last dose cannot be in the future.")
        for flag, names, message in (
            ("takes_immunosuppressants", "immunosuppressant_names", "Name the immunosuppressant."),
            ("takes_thyroid_medication", "thyroid_medication_names", "Name the thyroid medicine."),
        ):
            if data.get(flag) and not data.get(names, "").strip():
                self.add_error(names, message)
        return data


class HistoryForm(forms.Form):
    organ_transplant = forms.BooleanField(label="I have had an organ transplant", required=False)
    liver_disease = forms.BooleanField(label="I have acute hepatitis or liver failure", required=False)
    hashimotos = forms.BooleanField(label="I have Hashimoto's thyroiditis", required=False)


class AllergiesForm(forms.Form):
    no_known_allergies = forms.BooleanField(label="I have no known allergies", required=False)
    allergies = forms.CharField(
        label="Allergies (medicines, foods, fillers) and what happens",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("no_known_allergies") and not data.get("allergies", "").strip():
            raise forms.ValidationError("List your allergies, or tick “I have no known allergies”.")
        if data.get("no_known_allergies") and data.get("allergies", "").strip():
            raise forms.ValidationError("You ticked “no known allergies” but also listed some: please choose one.")
        return data


class ConsentsForm(forms.Form):
    telehealth = forms.BooleanField(
        label="I consent to receive care by telehealth (video visits and secure messages).",
        error_messages={"required": "Telehealth consent is needed: all care here is given by video and message."},
    )
    off_label = forms.BooleanField(
        label="I understand low-dose naltrexone is used off-label for pain and consent to that use.",
        error_messages={"required": "Consent to off-label use is needed before LDN can be prescribed."},
    )
    privacy = forms.BooleanField(
        label="I have read the privacy notice.",
        error_messages={"required": "Please confirm you have read the privacy notice."},
    )


STEP_FORMS = {
    "about": AboutForm,
    "conditions": ConditionsForm,
    "pain": PainForm,
    "medications": MedicationsForm,
    "history": HistoryForm,
    "allergies": AllergiesForm,
    "consents": ConsentsForm,
}


class WaitlistForm(forms.Form):
    email = forms.EmailField(label="Email address")
    state_code = forms.ChoiceField(label="State where you live", choices=[("", "Choose your state"), *US_STATES])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve for treatment"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note (required to decline)", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    override_reason = forms.CharField(
        label="Override reason (required to approve a deferred or not-eligible screening)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
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
