"""The notification settings page's forms: field validation only."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from portal.sms.numbers import phone_to_e164


class PhoneInput(forms.TextInput):
    input_type = "tel"  # the phone keypad on mobiles


class ReminderPreferencesForm(forms.Form):
    email_reminders = forms.BooleanField(
        label="Email reminders",
        required=False,
        help_text="Visit reminders, check-ins that are due and refills. Account emails always come.",
    )
    text_reminders = forms.BooleanField(
        label="Text message reminders",
        required=False,
        help_text="The same reminders by text, to your verified mobile number. Reply STOP to any text to stop them.",
    )


class TextPhoneForm(forms.Form):
    phone = forms.CharField(
        label="Mobile number",
        max_length=32,
        help_text="We text a 6-digit code to this number to check it is yours.",
        widget=PhoneInput(attrs={"autocomplete": "tel-national"}),
        error_messages={"required": "Enter your mobile number."},
    )

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        phone_to_e164(value)  # refuses a number texts cannot reach
        return value


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}),
        error_messages={
            "required": "Enter the 6-digit code we texted you.",
            "min_length": "The code has 6 digits.",
            "max_length": "The code has 6 digits.",
        },
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError("The code has 6 digits, with no letters or spaces.")
        return code
