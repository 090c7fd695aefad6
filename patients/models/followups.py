"""The clinical follow-up schedule (docs/domain.md "Follow-ups")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.models.record import Patient


class FollowUp(models.Model):
    """A follow-up visit the patient is due for, derived from their plan and visits
    (``patients.followups.services.followup_sync``). At most one is open per patient (a partial
    unique index); a plan change moves it, a visit after the day it counts from completes it."""

    class Reason(models.TextChoices):
        START = "start", "Plan started"
        DOSE_CHANGE = "dose_change", "Dose changed"
        STABLE = "stable", "Stable dose (every 90 days)"

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        BOOKED = "booked", "Visit booked"
        COMPLETED = "completed", "Completed"
        SUPERSEDED = "superseded", "Replaced by a newer follow-up"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="followups")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    counts_from = models.DateField(
        null=True,
        blank=True,
        help_text="The dose change it follows, or the last visit for the 90-day cadence.",
    )
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["pending", "booked"]),
                name="one_open_followup_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up for {self.patient} due {self.due_on} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.BOOKED)
