"""The intake questionnaire, its screening result, consents and the physician's review."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients.models.record import Patient

PEG_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


# LDN blocks opioid receptors and precipitates withdrawal in someone with opioids on board; the
# practice asks for 14 days after the last dose (docs/domain.md "Intake and screening", washout).
# The screening and the check-in's re-screen both set ``Intake.deferred_until`` with it.
OPIOID_WASHOUT_DAYS = 14


class Condition(models.TextChoices):
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    CRPS = "crps", "Complex regional pain syndrome (CRPS)"
    NEUROPATHIC = "neuropathic", "Neuropathic (nerve) pain"
    MS = "ms", "Multiple sclerosis"
    CROHNS = "crohns", "Crohn's disease"
    LONG_COVID = "long_covid", "Long COVID"
    RA = "ra", "Rheumatoid arthritis"
    SPONDYLOSIS = "spondylosis", "Spondylosis (spinal arthritis)"
    OTHER = "other", "Other"


class ScreeningOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NEEDS_REVIEW = "needs_review", "Needs a physician's review"
    DEFERRED = "deferred", "Deferred"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class ReviewStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "Intake not submitted"
    PENDING = "pending", "Waiting for physician review"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class Intake(models.Model):
    """One intake per patient. Steps save as the patient goes; ``submitted_at`` freezes it and
    records the screening result. Changes keep history (simple-history)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="intake")
    completed_steps = models.JSONField(default=list, blank=True)

    conditions = models.JSONField(default=list, blank=True)
    condition_other = models.CharField("other condition", max_length=200, blank=True)

    peg_pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=PEG_VALIDATORS)
    peg_enjoyment = models.PositiveSmallIntegerField(null=True, blank=True, validators=PEG_VALIDATORS)
    peg_activity = models.PositiveSmallIntegerField(null=True, blank=True, validators=PEG_VALIDATORS)

    takes_opioids = models.BooleanField(default=False)
    opioid_names = models.CharField(max_length=200, blank=True)
    opioid_last_dose = models.DateField(null=True, blank=True)
    takes_immunosuppressants = models.BooleanField(default=False)
    immunosuppressant_names = models.CharField(max_length=200, blank=True)
    takes_thyroid_medication = models.BooleanField(default=False)
    thyroid_medication_names = models.CharField(max_length=200, blank=True)
    other_medications = models.TextField(blank=True)

    organ_transplant = models.BooleanField(default=False)
    liver_disease = models.BooleanField("acute hepatitis or liver failure", default=False)
    hashimotos = models.BooleanField("Hashimoto's thyroiditis", default=False)

    no_known_allergies = models.BooleanField(default=False)
    allergies = models.TextField(blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    screening_outcome = models.CharField(max_length=16, choices=ScreeningOutcome.choices, blank=True)
    screening_reasons = models.JSONField(default=list, blank=True)
    deferred_until = models.DateField(null=True, blank=True)

    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.NOT_SUBMITTED, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why the physician approved despite a deferred or not-eligible screening."
    )

    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Intake of {self.patient}"

    @property
    def medicines_summary(self) -> str:
        """The patient's current medicines as the intake recorded them, one per line."""
        lines = []
        if self.takes_opioids:
            lines.append(f"Opioid: {self.opioid_names or 'not named'}")
        if self.takes_immunosuppressants:
            lines.append(f"Immunosuppressant: {self.immunosuppressant_names or 'not named'}")
        if self.takes_thyroid_medication:
            lines.append(f"Thyroid: {self.thyroid_medication_names or 'not named'}")
        if self.other_medications.strip():
            lines.append(self.other_medications.strip())
        return "\n".join(lines) or "None stated"

    @property
    def allergies_summary(self) -> str:
        return "No known drug allergies" if self.no_known_allergies else (self.allergies.strip() or "Not stated")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def peg_baseline(self) -> float | None:
        values = (self.peg_pain, self.peg_enjoyment, self.peg_activity)
        if any(v is None for v in values):
            return None
        return round(sum(values) / 3, 2)

    def condition_labels(self) -> list[str]:
        labels = dict(Condition.choices)
        return [labels.get(c, c) for c in self.conditions]


class Consent(models.Model):
    """A consent the patient gave, with the version of the text and the time (docs/domain.md "Intake and screening")."""

    class Kind(models.TextChoices):
        TELEHEALTH = "telehealth", "Consent to telehealth care"
        OFF_LABEL = "off_label", "Consent to off-label use of low-dose naltrexone"
        PRIVACY = "privacy", "Acknowledgement of the privacy notice"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.CharField(max_length=16)
    given_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["patient", "kind", "-given_at"]
        constraints = [models.UniqueConstraint(fields=["patient", "kind", "version"], name="uniq_consent_kind_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"
