"""The patient record. Intake answers, appointments, messages and check-ins hang off it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from portal.models import ServiceState, validate_time_zone


class Patient(models.Model):
    """One per patient account. ``state`` is where the patient lives (their residence decides
    which physicians may see the record: DESIGN.md §3)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient")
    state = models.ForeignKey(ServiceState, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def time_zone_name(self) -> str:
        if self.timezone:
            return self.timezone
        if self.state_id:
            return self.state.timezone
        return settings.TIME_ZONE
