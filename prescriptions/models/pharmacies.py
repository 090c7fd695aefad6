"""Compounding pharmacies, their state licenses, their staff and patients' preferences."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from portal.models import License, ServiceState, User


class Pharmacy(models.Model):
    name = models.CharField(max_length=128, unique=True)
    ncpdp_id = models.CharField("NCPDP ID", max_length=7, blank=True)
    address_line1 = models.CharField(max_length=128)
    address_line2 = models.CharField(max_length=128, blank=True)
    city = models.CharField(max_length=64)
    state_code = models.CharField("state", max_length=2, help_text="Where the pharmacy itself is located.")
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=32)
    fax = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "pharmacies"

    def __str__(self) -> str:
        return self.name


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
