"""Prescription orders for compounded LDN, their status history and patients' refill requests
(docs/domain.md "Prescription orders")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.models import US_STATES
from prescriptions.dosing import DoseSegment, Quantity, fmt_amount, quantity_for
from prescriptions.models.pharmacies import Pharmacy
from prescriptions.models.plans import DosingTime, Formulation, TitrationPlan

# What every order prescribes (docs/domain.md "Prescription orders").
DRUG_NAME = "Naltrexone hydrochloride (compounded)"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SENT = "sent", "Sent to the pharmacy"
    RECEIVED = "received", "Received by the pharmacy"
    IN_REVIEW = "in_review", "In pharmacist review"
    NEEDS_CLARIFICATION = "needs_clarification", "Waiting for the physician's answer"
    COMPOUNDING = "compounding", "Compounding"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected by the pharmacy"
    CANCELLED = "cancelled", "Cancelled"


class Filler(models.TextChoices):
    MICROCRYSTALLINE_CELLULOSE = "microcrystalline_cellulose", "Microcrystalline cellulose"
    RICE_FLOUR = "rice_flour", "Rice flour"
    ACIDOPHILUS = "acidophilus", "Acidophilus"
    # Kept as named values so that a refusal can say exactly what was refused (docs/domain.md "Prescription orders").
    CALCIUM_CARBONATE = "calcium_carbonate", "Calcium carbonate"
    SLOW_RELEASE = "slow_release", "Slow-release base"


class PrescriptionOrder(models.Model):
    """One prescription for compounded naltrexone HCl. While a draft it is computed from a plan;
    signing copies the patient, prescriber and pharmacy details onto it and freezes the whole
    content with a SHA-256 of its canonical JSON (``content_hash``)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="prescription_orders")
    plan = models.ForeignKey(TitrationPlan, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=24, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True)

    formulation = models.CharField(max_length=16, choices=Formulation.choices)
    dosing_time = models.CharField(max_length=16, choices=DosingTime.choices)
    capsule_strength_mg = models.DecimalField("mg per capsule", max_digits=4, decimal_places=2, null=True, blank=True)
    filler = models.CharField(max_length=32, choices=Filler.choices, blank=True)
    concentration_mg_per_ml = models.DecimalField("mg per mL", max_digits=4, decimal_places=2, null=True, blank=True)

    supply_start = models.DateField(help_text="The first day this supply covers.")
    days_supply = models.PositiveSmallIntegerField()
    quantity = models.DecimalField(max_digits=7, decimal_places=2)
    quantity_unit = models.CharField(max_length=16)
    dose_segments = models.JSONField(default=list, help_text="The plan's doses over the supply, one entry per step.")
    sig = models.TextField("directions (sig)")
    refills = models.PositiveSmallIntegerField(default=0)
    indication_code = models.CharField("ICD-10-CM code", max_length=8)
    indication_text = models.CharField("indication", max_length=200)

    ship_to_name = models.CharField(max_length=128)
    ship_to_line1 = models.CharField("street address", max_length=128)
    ship_to_line2 = models.CharField("apartment, suite", max_length=128, blank=True)
    ship_to_city = models.CharField("city", max_length=64)
    ship_to_state = models.CharField("state", max_length=2, choices=US_STATES)
    ship_to_postal_code = models.CharField("ZIP code", max_length=10)

    # Copied at signing so that the signed content never changes with the live records.
    patient_name = models.CharField(max_length=160, blank=True)
    patient_dob = models.DateField(null=True, blank=True)
    patient_phone = models.CharField(max_length=32, blank=True)
    patient_address = models.TextField(blank=True)
    patient_allergies = models.TextField(blank=True)
    patient_medications = models.TextField(blank=True, help_text="The patient's other medicines, copied at signing.")
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prescriber_name = models.CharField(max_length=160, blank=True)
    prescriber_npi = models.CharField("prescriber NPI", max_length=10, blank=True)
    prescriber_license_number = models.CharField(max_length=64, blank=True)
    prescriber_license_state = models.CharField(max_length=2, blank=True)
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    signed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    content_hash = models.CharField("SHA-256 of the signed content", max_length=64, blank=True)

    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=64, blank=True)
    # When the order entered its current status (set by order_transition): the pharmacy queue's
    # "waiting since", read without joining the events.
    status_changed_at = models.DateTimeField(default=timezone.now)
    refill_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="continued_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pharmacy", "status", "-signed_at"]),
            models.Index(fields=["patient", "-created_at"]),
            models.Index(fields=["pharmacy", "status", "status_changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"LDN-{self.pk:06d}" if self.pk else "LDN-(new)"

    @property
    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT

    @property
    def is_capsule(self) -> bool:
        return self.formulation == Formulation.CAPSULE

    @property
    def supply_ends_on(self) -> dt.date:
        """The last day this supply covers."""
        return self.supply_start + dt.timedelta(days=self.days_supply - 1)

    @property
    def ship_to_lines(self) -> list[str]:
        lines = [self.ship_to_name, self.ship_to_line1, self.ship_to_line2]
        lines.append(f"{self.ship_to_city}, {self.ship_to_state} {self.ship_to_postal_code}")
        return [line for line in lines if line]

    @property
    def strength(self):
        """mg per capsule, or mg per mL of the liquid."""
        return self.capsule_strength_mg if self.is_capsule else self.concentration_mg_per_ml

    def quantity_breakdown(self) -> Quantity:
        """The arithmetic behind ``quantity``, from the order's own dose segments (``dosing.quantity_for``)."""
        segments = [DoseSegment.from_json(s) for s in self.dose_segments]
        return quantity_for(segments, formulation=self.formulation, strength=self.strength)

    @property
    def strength_label(self) -> str:
        if self.is_capsule:
            return f"{fmt_amount(self.capsule_strength_mg)} mg per capsule"
        return f"{fmt_amount(self.concentration_mg_per_ml)} mg/mL"


class OrderEvent(models.Model):
    """One status change of an order: who, from, to, a note (a question, an answer, a reason) and
    when. Written only by ``prescriptions.orders.services.order_transition``; never edited."""

    order = models.ForeignKey(PrescriptionOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=16)
    from_status = models.CharField(max_length=24, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=24, choices=OrderStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.from_status} → {self.to_status}"


class RefillRequest(models.Model):
    """A patient asking for more medication; a physician approves it into a new draft order."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a physician"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    order = models.ForeignKey(PrescriptionOrder, on_delete=models.PROTECT, related_name="refill_requests")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="refill_requests")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    patient_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    new_order = models.OneToOneField(
        PrescriptionOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="from_refill_request"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="pending"), name="one_pending_refill_request_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"Refill request for {self.order.number} ({self.get_status_display()})"
