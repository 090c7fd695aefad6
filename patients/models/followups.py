"""The clinical follow-up schedule (docs/domain.md "Follow-ups")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class RecallContact(models.Model):
    """One attempt by the care team to reach a patient about a follow-up that is due or overdue
    (the recall list, docs/domain.md "Care team"). Rows are never edited: a later call is a new row."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", "Called, no answer"
        VOICEMAIL = "voicemail", "Left a voicemail"
        REACHED = "reached", "Reached the patient"
        MESSAGED = "messaged", "Sent a secure message"
        DECLINED = "declined", "Patient declined to book for now"

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="recall_contacts")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recall_contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["followup", "-at"], name="recall_contact_recent")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.at:%Y-%m-%d}"
