"""Health answers a patient changed after the intake, waiting for a physician's review
(docs/domain.md "Profile and moving")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.models.record import Patient


class HealthAnswerChange(models.Model):
    """One change to the patient's allergies or medicines made from their profile, with the answer
    before and after. The intake's own history keeps every version; this row is the flag on the
    chart ("Allergies changed on … — review") until a physician licensed in the patient's state
    marks it reviewed. Rows are never deleted."""

    class Topic(models.TextChoices):
        ALLERGIES = "allergies", "Allergies"
        MEDICINES = "medicines", "Medicines"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="health_answer_changes")
    topic = models.CharField(max_length=16, choices=Topic.choices)
    before = models.TextField(help_text="The answer as it was (shown on the chart, never sent by email).")
    after = models.TextField(help_text="The answer as the patient changed it.")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [
            models.Index(
                fields=["patient", "changed_at"], condition=Q(reviewed_at__isnull=True), name="open_health_changes"
            )
        ]

    def __str__(self) -> str:
        state = "reviewed" if self.reviewed_at else "waiting for review"
        return f"{self.get_topic_display()} of {self.patient} changed {self.changed_at:%Y-%m-%d} ({state})"

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None
