"""What the pharmacy records before and while it compounds an order: the pharmacist's verification
checklist and the compounding record (docs/domain.md "Verification and the compounding record").
Both are written once and never edited: a correction of a compounding record is a new row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from prescriptions.models.orders import PrescriptionOrder


class OrderVerification(models.Model):
    """A pharmacist's confirmation, item by item, that the signed order can be compounded: the
    prescriber and signature, the patient's identity, allergies and other medicines, and the dose
    arithmetic. ``content_hash`` is the order's signed hash at the moment of verification and
    ``dose_check`` the arithmetic the pharmacist saw."""

    order = models.ForeignKey(PrescriptionOrder, on_delete=models.PROTECT, related_name="verifications")
    pharmacist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prescriber_confirmed = models.BooleanField("prescriber and signature confirmed")
    patient_confirmed = models.BooleanField("patient identity confirmed")
    allergies_confirmed = models.BooleanField("allergies and other medicines reviewed")
    dose_confirmed = models.BooleanField("dose arithmetic confirmed")
    dose_check = models.TextField("dose arithmetic as shown")
    content_hash = models.CharField("signed hash verified", max_length=64)
    verified_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        return f"Verification of {self.order.number} ({self.verified_at:%Y-%m-%d %H:%M})"


class CompoundingRecord(models.Model):
    """The record a compounding pharmacy keeps of one preparation: lot number, compounding and
    beyond-use dates, who compounded and who checked (two different people). The newest row of an
    order is its record; an earlier row stays as it was, with the correction that replaced it."""

    order = models.ForeignKey(PrescriptionOrder, on_delete=models.PROTECT, related_name="compounding_records")
    lot_number = models.CharField(max_length=32)
    compounded_on = models.DateField()
    beyond_use_date = models.DateField()
    compounded_by = models.CharField("compounded by (name or initials)", max_length=80)
    checked_by = models.CharField("checked by (name or initials)", max_length=80)
    correction_reason = models.CharField(
        max_length=300, blank=True, help_text="Why this row replaces the previous record of the order."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order.number} lot {self.lot_number}"

    @property
    def beyond_use_days(self) -> int:
        return (self.beyond_use_date - self.compounded_on).days
