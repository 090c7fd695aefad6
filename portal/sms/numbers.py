"""Phone numbers for texts: parsed with ``phonenumbers`` and stored in E.164 (+15125550100), the
form Telnyx sends in replies and expects in ``to``. The practice serves US states only."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

REGION = "US"
INVALID = "Enter a US mobile number with its area code, such as 512-555-0100."


def phone_to_e164(value: str) -> str:
    """The number in E.164, or a ValidationError a patient can act on."""
    try:
        number = phonenumbers.parse((value or "").strip(), REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID) from None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_display(value: str) -> str:
    """+15125550100 as (512) 555-0100; anything unreadable as it is."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
