"""Titration plans: versions of a patient's dosing schedule (docs/domain.md "Titration").

A plan is never edited. A change of dose or dosing time makes a new version and marks the old
one superseded, so the history of what the patient was told to take stays readable."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from prescriptions.dosing import fmt_amount


class Formulation(models.TextChoices):
    CAPSULE = "capsule", "Capsules"
    ORAL_LIQUID = "oral_liquid", "Oral liquid"


class DosingTime(models.TextChoices):
    BEDTIME = "bedtime", "At bedtime"
    MORNING = "morning", "In the morning"


class PlanTemplate(models.TextChoices):
    STANDARD = "standard", "Standard: 1.5 mg × 7 days → 3.0 mg × 7 days → 4.5 mg"
    SENSITIVE = "sensitive", "Sensitive: 0.5 → 1.0 → 1.5 → 3.0 mg, 14 days each → 4.5 mg"
    RESTART = "restart", "Restart after more than 7 days off: 1.5 mg × 7 days → 3.0 mg × 7 days → 4.5 mg"
    CUSTOM = "custom", "Write the steps by hand"


class PauseKind(models.TextChoices):
    HOLD = "hold", "On hold"
    STOP = "stop", "Stopped"


class TitrationPlan(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="titration_plans")
    version = models.PositiveIntegerField()
    template = models.CharField(max_length=16, choices=PlanTemplate.choices, default=PlanTemplate.CUSTOM)
    formulation = models.CharField(max_length=16, choices=Formulation.choices, default=Formulation.ORAL_LIQUID)
    dosing_time = models.CharField(max_length=16, choices=DosingTime.choices, default=DosingTime.BEDTIME)
    start_date = models.DateField(help_text="The first day of this version's first step.")
    high_dose_reason = models.TextField(blank=True, help_text="Why a step goes above 4.5 mg.")
    screening_override_reason = models.TextField(
        blank=True, help_text="Why a plan starts despite a deferred or not-eligible screening."
    )
    note = models.TextField(blank=True, help_text="Why this plan or change (e.g. vivid dreams).")
    followup_due_in_days = models.PositiveSmallIntegerField(default=14)
    # Day 1 is the day after the medicine arrives (the patient says so, or the pharmacy marks the
    # order delivered): until then ``start_date`` is a placeholder and there is no dose.
    starts_on_arrival = models.BooleanField(default=False)
    arrived_on = models.DateField(null=True, blank=True)
    # A hold (until a physician reviews) or a stop: no dose from this day on. Taking LDN again is a
    # new version (docs/domain.md "Hold, stop and restart").
    paused_on = models.DateField(null=True, blank=True)
    pause_kind = models.CharField(max_length=8, choices=PauseKind.choices, blank=True)
    pause_reason = models.CharField(max_length=300, blank=True)
    # The visit whose decision this version is; its visit note shows "Dose decision: plan version N".
    visit = models.ForeignKey(
        "patients.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_versions",
        help_text="The visit at which this version was decided, if any.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="uniq_plan_version"),
            # Two physicians changing the same patient's plan at once must not leave two "current" plans.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(superseded_at__isnull=True), name="one_current_plan_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.version} for {self.patient}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_on is not None

    @property
    def is_awaiting_arrival(self) -> bool:
        return self.starts_on_arrival and self.arrived_on is None

    @property
    def step_list(self) -> list[TitrationStep]:
        # Goes through the prefetch cache when the selector prefetched the steps.
        return list(self.steps.all())

    @property
    def maintenance_step(self) -> TitrationStep | None:
        steps = self.step_list
        return steps[-1] if steps else None

    @property
    def maintenance_starts_on(self) -> dt.date:
        return self.start_date + dt.timedelta(days=sum(s.days or 0 for s in self.step_list[:-1]))

    @property
    def starts_on_maintenance(self) -> bool:
        return len(self.step_list) == 1


class TitrationStep(models.Model):
    """One step of a plan. The last step is maintenance: it has no length and lasts until the next
    plan version."""

    plan = models.ForeignKey(TitrationPlan, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveSmallIntegerField()
    dose_mg = models.DecimalField(max_digits=4, decimal_places=2)
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty for the maintenance step.")

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "sequence"], name="uniq_plan_step_sequence")]

    def __str__(self) -> str:
        length = f"{self.days} days" if self.days else "maintenance"
        return f"{self.dose_mg} mg, {length}"

    @property
    def is_maintenance(self) -> bool:
        return self.days is None


class PlanEvent(models.Model):
    """A plan started, its dose changed, or its maintenance step was reached: the explicit events
    that the follow-up schedule and the reminder engine build on (docs/domain.md "Follow-ups")."""

    class Kind(models.TextChoices):
        START = "start", "Plan started"
        DOSE_INCREASE = "dose_increase", "Dose increased"
        DOSE_DECREASE = "dose_decrease", "Dose decreased"
        TIMING_CHANGE = "timing_change", "Dosing time changed"
        PLAN_CHANGE = "plan_change", "Plan changed (same dose)"
        MAINTENANCE_REACHED = "maintenance_reached", "Maintenance dose reached"
        HOLD = "hold", "Held"
        STOP = "stop", "Stopped"
        RESUME = "resume", "Resumed"
        MAINTENANCE_CHANGE = "maintenance_change", "Maintenance dose changed"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="plan_events")
    plan = models.ForeignKey(TitrationPlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why, for a hold or a stop.")
    effective_on = models.DateField(help_text="The day the change takes effect.")
    dose_mg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    previous_dose_mg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    followup_due_in_days = models.PositiveSmallIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the portal recorded it (maintenance reached).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="uniq_plan_event_kind")]
        indexes = [models.Index(fields=["patient", "-effective_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.effective_on}"

    @property
    def summary(self) -> str:
        """What happened, in words the chart's plan history shows ("Maintenance lowered from 4.5 to
        1.5 mg", "Held: opioid exposure reported")."""

        def mg(value) -> str:
            return fmt_amount(value)

        if self.kind in (self.Kind.HOLD, self.Kind.STOP):
            return f"{self.get_kind_display()}: {self.reason}" if self.reason else self.get_kind_display()
        if self.kind == self.Kind.MAINTENANCE_CHANGE and self.previous_dose_mg is not None:
            direction = "raised" if self.dose_mg > self.previous_dose_mg else "lowered"
            return f"Maintenance {direction} from {mg(self.previous_dose_mg)} to {mg(self.dose_mg)} mg"
        if self.kind in (self.Kind.DOSE_INCREASE, self.Kind.DOSE_DECREASE) and self.previous_dose_mg is not None:
            direction = "raised" if self.kind == self.Kind.DOSE_INCREASE else "lowered"
            return f"Dose {direction} from {mg(self.previous_dose_mg)} to {mg(self.dose_mg)} mg"
        if self.kind in (self.Kind.START, self.Kind.RESUME) and self.dose_mg is not None:
            return f"{self.get_kind_display()} at {mg(self.dose_mg)} mg"
        return self.get_kind_display()

    @property
    def is_dose_change(self) -> bool:
        return self.kind in (self.Kind.DOSE_INCREASE, self.Kind.DOSE_DECREASE)
