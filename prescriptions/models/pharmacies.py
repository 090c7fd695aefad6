"""Compounding pharmacies, their state licenses, their staff and patients' preferences."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from portal.models import License, ServiceState, User
from prescriptions.models.plans import Formulation

# A US fax number as people write it: 10 digits, optionally +1 / 1 first, with spaces, dots,
# dashes or brackets between the groups.
US_FAX_PATTERN = r"^(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}$"
validate_us_fax = RegexValidator(US_FAX_PATTERN, "Enter a US fax number with its area code, e.g. 512-555-0199.")


class Pharmacy(models.Model):
    class OrderDelivery(models.TextChoices):
        PORTAL = "portal", "In the portal (the pharmacy's workspace)"
        FAX = "fax", "By fax (the pharmacy does not use the portal)"

    name = models.CharField(max_length=128, unique=True)
    ncpdp_id = models.CharField("NCPDP ID", max_length=7, blank=True)
    address_line1 = models.CharField(max_length=128)
    address_line2 = models.CharField(max_length=128, blank=True)
    city = models.CharField(max_length=64)
    state_code = models.CharField("state", max_length=2, help_text="Where the pharmacy itself is located.")
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=32)
    fax = models.CharField(max_length=32, blank=True, validators=[validate_us_fax])
    npi = models.CharField(
        "NPI", max_length=10, blank=True, validators=[RegexValidator(r"^\d{10}$", "An NPI is exactly 10 digits.")],
        help_text="Printed on Good Faith Estimates beside the pharmacy's price range.",
    )  # fmt: skip
    tin = models.CharField(
        "TIN (EIN)", max_length=10, blank=True,
        validators=[RegexValidator(r"^\d{2}-\d{7}$", "Write the TIN (EIN) as 12-3456789.")],
        help_text="The pharmacy's tax id, printed on Good Faith Estimates (45 CFR 149.610 asks for it).",
    )  # fmt: skip
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)
    order_delivery = models.CharField(
        "how orders reach it",
        max_length=8,
        choices=OrderDelivery.choices,
        default=OrderDelivery.PORTAL,
        help_text="A fax pharmacy gets each signed order as a faxed prescription (docs/domain.md "
        '"Prescription orders"); a portal pharmacy works its orders in its workspace.',
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "pharmacies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.order_delivery == self.OrderDelivery.FAX and not self.fax:
            raise ValidationError({"fax": "A pharmacy that receives orders by fax needs its fax number."})

    @property
    def receives_fax(self) -> bool:
        return self.order_delivery == self.OrderDelivery.FAX

    @property
    def fax_e164(self) -> str:
        """The fax number as fax services dial it (+1 and ten digits), or "" when not a US number."""
        digits = re.sub(r"\D", "", self.fax)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return f"+1{digits}" if len(digits) == 10 else ""


class PharmacyLicense(License):
    """A pharmacy's (resident or non-resident) license to ship into a state."""

    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.CASCADE, related_name="licenses")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pharmacy", "state__code"]
        constraints = [
            models.UniqueConstraint(fields=["pharmacy", "state", "number"], name="uniq_pharmacy_license"),
        ]

    def __str__(self) -> str:
        return f"{self.pharmacy} — {self.state.code} {self.number}"

    @property
    def holder_label(self) -> str:
        return self.pharmacy.name


class StateDefaultPharmacy(models.Model):
    """The practice's default pharmacy for a state, used when the patient's preferred pharmacy
    cannot ship there (docs/domain.md "Prescription orders")."""

    state = models.OneToOneField(ServiceState, on_delete=models.CASCADE, related_name="default_pharmacy")
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="default_for")

    class Meta:
        verbose_name = "default pharmacy for a state"
        verbose_name_plural = "default pharmacies by state"
        ordering = ["state__code"]

    def __str__(self) -> str:
        return f"{self.state.code}: {self.pharmacy}"


class PharmacyMembership(models.Model):
    """Pharmacy staff belong to exactly one pharmacy and see only its orders (docs/domain.md "Roles and access")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pharmacy_membership",
        limit_choices_to={"role": User.Role.PHARMACY},
    )
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.CASCADE, related_name="memberships")
    receives_order_notifications = models.BooleanField(
        default=True,
        help_text="Email this person when an order, an answer, a cancellation or a refill reaches the "
        "pharmacy's workspace (the email names no patient and no medicine).",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pharmacy", "user__email"]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.pharmacy}"

    def clean(self) -> None:
        if self.user_id and self.user.role != User.Role.PHARMACY:
            raise ValidationError({"user": "Only pharmacy-staff accounts can belong to a pharmacy."})


class PharmacyPreference(models.Model):
    """The pharmacy a patient would like orders sent to (optional, chosen during intake). Routing
    uses it only when that pharmacy is licensed for the ship-to state (docs/domain.md "Prescription orders")."""

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="pharmacy_preference")
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.patient}: {self.pharmacy or 'no preference'}"


class PharmacyPriceRange(models.Model):
    """What a month of one formulation usually costs at this pharmacy, low and high, as the
    pharmacy told the practice. Patients pay the pharmacy directly: the portal shows the range as
    an estimate, on the prices page and in Good Faith Estimates (docs/domain.md "Cash pay")."""

    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.CASCADE, related_name="price_ranges")
    formulation = models.CharField(max_length=16, choices=Formulation.choices)
    low_cents = models.PositiveIntegerField("low (cents per month)")
    high_cents = models.PositiveIntegerField("high (cents per month)")
    updated_on = models.DateField(help_text="When the pharmacy last confirmed these prices.")

    class Meta:
        ordering = ["pharmacy", "formulation"]
        constraints = [
            models.UniqueConstraint(fields=["pharmacy", "formulation"], name="one_price_range_per_formulation"),
            models.CheckConstraint(
                condition=models.Q(high_cents__gte=models.F("low_cents")), name="price_range_high_not_below_low"
            ),
        ]

    def __str__(self) -> str:
        low, high = self.low_cents / 100, self.high_cents / 100
        return f"{self.pharmacy}: {self.get_formulation_display()} ${low:,.0f}–${high:,.0f}/month"

    def clean(self) -> None:
        if self.low_cents is not None and self.high_cents is not None and self.high_cents < self.low_cents:
            raise ValidationError({"high_cents": "The high end of the range cannot be below the low end."})
