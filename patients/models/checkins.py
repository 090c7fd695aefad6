"""Pain check-ins: PEG-3 and side effects (docs/domain.md "Check-ins and response")."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients.models.intake import PEG_VALIDATORS
from patients.models.record import Patient


class SideEffect(models.TextChoices):
    VIVID_DREAMS = "vivid_dreams", "Vivid dreams"
    INSOMNIA = "insomnia", "Trouble sleeping"
    HEADACHE = "headache", "Headache"
    NAUSEA = "nausea", "Nausea or upset stomach"
    OTHER = "other", "Something else"


class Severity(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild: noticeable, does not get in the way"
    MODERATE = "moderate", "Moderate: gets in the way of some things"
    SEVERE = "severe", "Severe: hard to get through the day"


class RedFlag(models.TextChoices):
    """Symptoms that need attention now (docs/domain.md "Safety triage")."""

    CHEST_PAIN = "chest_pain", "Chest pain"
    BREATHING = "breathing", "Trouble breathing"
    SWELLING = "swelling", "Swelling of the face, lips, tongue or throat"
    VOMITING = "vomiting", "Severe or repeated vomiting"
    WITHDRAWAL = "withdrawal", "Signs of opioid withdrawal (sweating, shaking, cramps, runny nose, goose bumps)"
    SELF_HARM = "self_harm", "Thoughts of harming yourself"


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline (intake)"
        WEEKLY = "weekly", "Weekly check-in"
        FOLLOW_UP = "follow_up", "Follow-up check-in"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WEEKLY)
    pain = models.PositiveSmallIntegerField(validators=PEG_VALIDATORS)
    enjoyment = models.PositiveSmallIntegerField(validators=PEG_VALIDATORS)
    activity = models.PositiveSmallIntegerField(validators=PEG_VALIDATORS)
    side_effects = models.JSONField(default=list, blank=True)
    side_effect_other = models.CharField(max_length=200, blank=True)
    side_effect_severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    # The safety questions (None on check-ins made before they were asked).
    opioid_use = models.BooleanField(null=True, blank=True, help_text="Any opioid since the last check-in.")
    opioid_names = models.CharField(max_length=200, blank=True)
    opioid_last_taken = models.DateField(null=True, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "recorded_at"]
        indexes = [models.Index(fields=["patient", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recorded_at:%Y-%m-%d}: PEG {self.score}"

    @property
    def score(self) -> float:
        """PEG-3 score: the mean of the three 0–10 items (Krebs et al. 2009)."""
        return round((self.pain + self.enjoyment + self.activity) / 3, 2)

    def side_effect_labels(self) -> list[str]:
        labels = dict(SideEffect.choices)
        return [labels.get(s, s) for s in self.side_effects]

    def red_flag_labels(self) -> list[str]:
        labels = dict(RedFlag.choices)
        return [labels.get(flag, flag) for flag in self.red_flags]
