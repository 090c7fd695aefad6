"""The carriers a pharmacy ships with and the shape of each one's tracking numbers
(docs/domain.md "Verification and the compounding record"). Pure functions: no queries."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models


class Carrier(models.TextChoices):
    # The values are what the order stores and what the tracking link reads (presenters.tracking_url).
    USPS = "USPS", "USPS"
    UPS = "UPS", "UPS"
    FEDEX = "FedEx", "FedEx"
    DHL = "DHL", "DHL Express"


# carrier → (accepted shapes, the shapes in words for the refusal)
TRACKING_FORMATS: dict[str, tuple[tuple[re.Pattern[str], ...], str]] = {
    Carrier.USPS: (
        (re.compile(r"\d{20,22}"), re.compile(r"[A-Z]{2}\d{9}US")),
        "20 to 22 digits, or 2 letters, 9 digits and US (e.g. EA123456789US)",
    ),
    Carrier.UPS: ((re.compile(r"1Z[0-9A-Z]{16}"),), "1Z followed by 16 letters or digits (18 characters)"),
    Carrier.FEDEX: ((re.compile(r"\d{12}|\d{15}|\d{20}"),), "12, 15 or 20 digits"),
    Carrier.DHL: ((re.compile(r"\d{10}"),), "10 digits"),
}


def normalize_tracking_number(value: str) -> str:
    """Spaces and dashes as printed on labels are dropped; letters are upper case."""
    return re.sub(r"[\s-]", "", value or "").upper()


def tracking_number_validate(*, carrier: str, tracking_number: str) -> tuple[str, str]:
    """The carrier and the normalized tracking number, or a ValidationError naming the field and
    the shape the carrier's numbers have."""
    if carrier not in Carrier.values:
        raise ValidationError({"carrier": "Choose the carrier from the list (USPS, UPS, FedEx or DHL)."})
    number = normalize_tracking_number(tracking_number)
    if not number:
        raise ValidationError({"tracking_number": "Shipping needs the carrier and the tracking number."})
    patterns, words = TRACKING_FORMATS[carrier]
    if not any(pattern.fullmatch(number) for pattern in patterns):
        raise ValidationError(
            {
                "tracking_number": f"“{number}” is not a {Carrier(carrier).label} tracking number: those are {words}. "
                "Check the label and the carrier."
            }
        )
    return carrier, number
