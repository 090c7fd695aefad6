"""The email that tells a patient their after-visit summary is ready. It says only that: the
summary itself is read in the portal (docs/domain.md "Visit notes and after-visit summaries")."""

from __future__ import annotations

from django.utils import timezone

from patients.models import Patient, VisitNote
from patients.reminders import patient_reminder_skip_reason
from portal.models import Reminder
from portal.reminders import register_reminder_kind, reminder_schedule

VISIT_SUMMARY_KIND = "visit-summary"


def visit_summary_ready_schedule(*, note: VisitNote, patient: Patient) -> Reminder:
    """Due now; quiet hours hold it until the morning in the patient's zone."""
    return reminder_schedule(
        kind=VISIT_SUMMARY_KIND,
        recipient=patient.user,
        subject=f"patients.visitnote:{note.pk}",
        due_at=timezone.now(),
        time_zone=patient.time_zone_name,
    )


def _visit_summary_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    note = VisitNote.objects.select_related("appointment__patient__state").filter(pk=pk).first()
    if note is None:
        return "visit note removed"
    if not note.is_signed:
        return "visit note is not signed"
    return patient_reminder_skip_reason(note.appointment.patient, reminder.channel)


def register() -> None:
    # The default renderer: templates/emails/reminder-visit-summary-*, which name no health detail.
    register_reminder_kind(VISIT_SUMMARY_KIND, check=_visit_summary_check)
