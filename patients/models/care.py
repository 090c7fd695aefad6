"""Safety work items: what a physician must look at now (docs/domain.md "Safety triage")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.models.checkins import CheckIn
from patients.models.record import Patient


class CareItem(models.Model):
    """Raised by a check-in's answers or a message marked urgent; shown first on the clinic home of
    every physician licensed in the patient's state until one of them resolves it with a note."""

    class Priority(models.TextChoices):
        URGENT = "urgent", "Urgent"
        REVIEW = "review", "Review"

    class Resolution(models.TextChoices):
        RESUMED = "resumed", "Plan resumed"
        STOPPED = "stopped", "Plan stopped"
        CALLED = "called", "Called the patient"
        REVIEWED = "reviewed", "Reviewed, no change"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_items")
    priority = models.CharField(max_length=8, choices=Priority.choices)
    reasons = models.TextField(help_text="What raised it, for the physician (never sent by email).")
    checkin = models.ForeignKey(CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.ForeignKey("patients.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["resolved_at", "-priority", "created_at"]
        indexes = [
            models.Index(
                fields=["patient", "created_at"], condition=Q(resolved_at__isnull=True), name="open_care_items"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} item for {self.patient} ({'open' if self.is_open else 'resolved'})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
