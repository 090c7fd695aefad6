"""The patient record: who the patient is and where they live."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.models import ServiceState, validate_time_zone


class TreatmentPhase(models.TextChoices):
    """Where the patient is in treatment. Other apps pass the value on as a plain string (the
    education library suggests reading by it, docs/architecture.md "Apps and layers")."""

    BEFORE_FIRST_VISIT = "before-first-visit", "Before the first visit"
    TITRATION = "titration", "Titrating the dose"
    STABLE = "stable", "On a stable dose"
    ON_HOLD = "on-hold", "On hold until a physician reviews"
    STOPPED = "stopped", "Stopped"


def patient_name(legal_first: str, legal_last: str, first: str, last: str, email: str) -> str:
    """How the portal names a patient: the legal name, else the account's name, else its email."""
    return f"{legal_first} {legal_last}".strip() or f"{first} {last}".strip() or email


class Patient(models.Model):
    """One per patient account. ``state`` is the state of residence: it decides which physicians
    may see the record (docs/domain.md "Roles and access"). It is only ever a state the practice serves."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient")
    legal_first_name = models.CharField(max_length=64, blank=True)
    legal_last_name = models.CharField(max_length=64, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address_line1 = models.CharField("street address", max_length=128, blank=True)
    address_line2 = models.CharField("apartment, suite (optional)", max_length=128, blank=True)
    city = models.CharField(max_length=64, blank=True)
    state = models.ForeignKey(ServiceState, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    treatment_phase = models.CharField(
        max_length=32, choices=TreatmentPhase.choices, default=TreatmentPhase.BEFORE_FIRST_VISIT
    )
    email_opt_out = models.BooleanField(default=False, help_text="No reminder emails (account emails still go).")
    sms_opt_out = models.BooleanField(default=True, help_text="No reminder text messages.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        indexes = [
            models.Index(fields=["state", "legal_last_name"]),
            # The clinic list's order: lets PostgreSQL walk names in order and stop after a page.
            models.Index(fields=["legal_last_name", "legal_first_name", "id"], name="patient_name_order"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        user = self.user
        return patient_name(self.legal_first_name, self.legal_last_name, user.first_name, user.last_name, user.email)

    @property
    def time_zone_name(self) -> str:
        if self.timezone:
            return self.timezone
        if self.state_id:
            return self.state.timezone
        return settings.TIME_ZONE

    def today(self) -> dt.date:
        """Today's date where the patient is: washouts, deferrals and doses count local days."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone_name))

    @property
    def is_in_served_state(self) -> bool:
        return bool(self.state_id and self.state.active)

    @property
    def address_lines(self) -> list[str]:
        lines = [self.address_line1, self.address_line2]
        state_code = self.state.code if self.state_id else ""
        lines.append(f"{self.city}, {state_code} {self.postal_code}".strip(", "))
        return [line for line in lines if line]


class WaitlistEntry(models.Model):
    """Someone in a state the practice does not serve yet. Only an email and a state are kept:
    no health data (docs/domain.md "Reminders")."""

    email = models.EmailField()
    state_code = models.CharField("state", max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When we emailed that the state is served.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "waitlist entries"
        constraints = [models.UniqueConstraint(fields=["email", "state_code"], name="uniq_waitlist_email_state")]

    def __str__(self) -> str:
        return f"{self.email} ({self.state_code})"
