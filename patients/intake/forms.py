"""Forms of the intake steps, the waitlist and the physician's review: field validation only;
the rules live in patients.intake.services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from patients.checkins.forms import peg_field
from patients.intake.widgets import DateOfBirthWidget
from patients.models import Condition
from portal.forms import DateInput
from portal.models import US_STATES

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


EXAMPLE = "Enter a real date of birth, for example 4 12 1980."
EARLIEST_BIRTH_YEAR = 1900


class DateOfBirthField(forms.MultiValueField):
    """Month, day and year typed in three boxes (:class:`DateOfBirthWidget`), checked one by one so
    the message says which part to fix. The age rule (18 or older) is the intake service's."""

    widget = DateOfBirthWidget

    def __init__(self, **kwargs):
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(fields=parts, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        month, day, year = ((part or "").strip() for part in data_list)
        missing = [name for name, part in (("month", month), ("day", day), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(
                f"Enter the {' and the '.join(missing)} you were born, for example 4 12 1980.", code="incomplete"
            )
        # isdecimal, not isdigit: "²" or "①" count as digits but are not numbers int() reads.
        if not (month.isdecimal() and day.isdecimal() and year.isdecimal()):
            raise forms.ValidationError(f"Use numbers only. {EXAMPLE}", code="invalid")
        if len(month) > 2 or len(day) > 2:
            raise forms.ValidationError(f"The month and the day have at most 2 digits. {EXAMPLE}", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError("Enter the year with 4 digits, for example 1980.", code="invalid")
        if not 1 <= int(month) <= 12:
            raise forms.ValidationError("Enter a month from 1 to 12, for example 4 for April.", code="invalid")
        try:
            born = dt.date(int(year), int(month), int(day))
        except ValueError:
            month_name = dt.date(2000, int(month), 1).strftime("%B")
            raise forms.ValidationError(
                f"{month_name} {int(year)} has no day {int(day)}. {EXAMPLE}", code="impossible"
            ) from None
        if born > timezone.localdate():
            raise forms.ValidationError("Your date of birth cannot be in the future. " + EXAMPLE, code="future")
        if born.year < EARLIEST_BIRTH_YEAR:
            raise forms.ValidationError(EXAMPLE, code="too_early")
        return born


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


class AddressFields(forms.Form):
    """A street address within a state: the intake's, and the profile's (where the state itself
    changes only by moving). Each field names what the browser may fill in (autocomplete tokens,
    WCAG 1.3.5) and says what is missing in its own words."""

    address_line1 = forms.CharField(
        label="Street address",
        max_length=128,
        widget=_text("address-line1"),
        error_messages={"required": "Enter your street address."},
    )
    address_line2 = forms.CharField(
        label="Apartment, suite (optional)",
        max_length=128,
        required=False,
        widget=_text("address-line2"),
    )
    city = forms.CharField(
        max_length=64, widget=_text("address-level2"), error_messages={"required": "Enter your city or town."}
    )
    postal_code = forms.CharField(
        label="ZIP code",
        max_length=10,
        widget=_text("postal-code", inputmode="numeric"),
        error_messages={"required": "Enter your 5-digit ZIP code."},
    )

    def clean_postal_code(self):
        code = self.cleaned_data["postal_code"].strip()
        if not ZIP_RE.match(code):
            raise forms.ValidationError("Enter a 5-digit ZIP code (or ZIP+4).")
        return code


class ContactFields(AddressFields):
    """The address and a US mobile number."""

    phone = forms.CharField(
        label="Mobile phone",
        max_length=32,
        help_text="US number, e.g. 512-555-0100",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": "Enter your mobile phone number, e.g. 512-555-0100."},
    )

    field_order = ["phone", "address_line1", "address_line2", "city", "postal_code"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(phone):
            raise forms.ValidationError("Enter a 10-digit US phone number, e.g. 512-555-0100.")
        return phone


class AboutForm(ContactFields):
    legal_first_name = forms.CharField(
        label="Legal first name",
        max_length=64,
        widget=_text("given-name"),
        error_messages={"required": "Enter your legal first name."},
    )
    legal_last_name = forms.CharField(
        label="Legal last name",
        max_length=64,
        widget=_text("family-name"),
        error_messages={"required": "Enter your legal last name."},
    )
    date_of_birth = DateOfBirthField(
        label="Date of birth",
        help_text="For example 4 12 1980 (April 12, 1980).",
        error_messages={"required": "Enter your date of birth."},
    )
    state_code = forms.ChoiceField(
        label="State where you live",
        choices=[("", "Choose your state"), *US_STATES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
        error_messages={"required": "Choose the state where you live."},
    )
    timezone = forms.ChoiceField(label="Your time zone", choices=US_TIME_ZONES, required=False)

    field_order = [
        "legal_first_name", "legal_last_name", "date_of_birth", "phone", "address_line1", "address_line2",
        "city", "state_code", "postal_code", "timezone",
    ]  # fmt: skip


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

    # Which question is unanswered, in its own words (the three would otherwise say the same).
    REQUIRED = {
        "peg_pain": "Rate how bad your pain has been this week, from 0 to 10.",
        "peg_enjoyment": "Rate how much pain got in the way of enjoying life, from 0 to 10.",
        "peg_activity": "Rate how much pain got in the way of your general activity, from 0 to 10.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages = {**self.fields[name].error_messages, "required": message}


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
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    state_code = forms.ChoiceField(
        label="State where you live",
        choices=[("", "Choose your state"), *US_STATES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
        error_messages={"required": "Choose the state where you live."},
    )


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
