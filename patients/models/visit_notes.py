"""Visit notes: the physician's structured record of a video visit and the summary the patient reads
(docs/domain.md "Visit notes and after-visit summaries").

A note is a draft until its physician signs it; from then on it is never edited. A correction or
a later thought is an addendum: a row of its own, signed when it is written."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.models.booking import Appointment

NOTE_SECTION_MAX = 5000
SUMMARY_SECTION_MAX = 2000


class VisitNote(models.Model):
    """Subjective, assessment and plan are for the care team; the three summary sections are
    written for the patient and are all they see, once the note is signed."""

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="visit_note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subjective = models.TextField(
        blank=True, max_length=NOTE_SECTION_MAX, help_text="What the patient reported: pain, sleep, side effects."
    )
    assessment = models.TextField(blank=True, max_length=NOTE_SECTION_MAX, help_text="Your clinical assessment.")
    plan = models.TextField(
        blank=True, max_length=NOTE_SECTION_MAX, help_text="The plan for the care team: doses, tests, referrals."
    )
    summary_decided = models.TextField(
        "What we decided", blank=True, max_length=SUMMARY_SECTION_MAX, help_text="For the patient, in plain words."
    )
    summary_next_steps = models.TextField(
        "What to do next", blank=True, max_length=SUMMARY_SECTION_MAX, help_text="For the patient, in plain words."
    )
    summary_next_visit = models.TextField(
        "When we'll see you", blank=True, max_length=SUMMARY_SECTION_MAX, help_text="For the patient, in plain words."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField("SHA-256 of the signed content", max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True, content_hash="")
                | (Q(signed_at__isnull=False, signed_by__isnull=False) & ~Q(content_hash="")),
                name="visit_note_signed_whole",
            ),
        ]

    def __str__(self) -> str:
        state = "signed" if self.is_signed else "draft"
        return f"Visit note for visit {self.appointment_id} ({state})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def has_summary(self) -> bool:
        return bool(self.summary_decided or self.summary_next_steps or self.summary_next_visit)


class VisitNoteAddendum(models.Model):
    """Added to a signed note, never edited: it is signed by its author as it is saved."""

    note = models.ForeignKey(VisitNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=NOTE_SECTION_MAX)
    signed_at = models.DateTimeField()
    content_hash = models.CharField("SHA-256 of the signed content", max_length=64)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name_plural = "visit note addenda"

    def __str__(self) -> str:
        return f"Addendum of {self.signed_at:%Y-%m-%d %H:%M} UTC"
