"""Follow-up reminders: due in 7 days, due today and not booked, overdue by 7 days. Scheduled
through the reminder engine in portal, checked again when they are sent."""

from __future__ import annotations

import datetime as dt

from patients.models import FollowUp, TreatmentPhase
from patients.reminders import patient_reminder_skip_reason
from portal.models import Reminder
from portal.reminders import local_moment, register_reminder_kind, reminder_schedule, reminders_cancel

SEND_HOUR = 9


FOLLOWUP_KINDS = {
    # kind: days relative to the due date
    "followup-due-soon": -7,
    "followup-due-today": 0,
    "followup-overdue": 7,
}


def followup_subject(followup: FollowUp) -> str:
    return f"patients.followup:{followup.pk}"


def followup_reminders_schedule(followup: FollowUp) -> list[Reminder]:
    patient = followup.patient
    zone = patient.time_zone_name
    return [
        reminder_schedule(
            kind=kind,
            recipient=patient.user,
            subject=followup_subject(followup),
            due_at=local_moment(followup.due_on + dt.timedelta(days=offset), SEND_HOUR, zone),
            time_zone=zone,
        )
        for kind, offset in FOLLOWUP_KINDS.items()
    ]


def followup_reminders_cancel(followup: FollowUp, *, reason: str) -> int:
    return reminders_cancel(subject=followup_subject(followup), reason=reason)


def _followup_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    followup = FollowUp.objects.select_related("patient__state").filter(pk=pk).first()
    if followup is None:
        return "follow-up removed"
    if followup.status != FollowUp.Status.PENDING:
        return f"follow-up is {followup.get_status_display().lower()}"
    if followup.patient.treatment_phase in (TreatmentPhase.ON_HOLD, TreatmentPhase.STOPPED):
        return "treatment is on hold or stopped"
    return patient_reminder_skip_reason(followup.patient, reminder.channel)


def register() -> None:
    register_reminder_kind(*FOLLOWUP_KINDS, check=_followup_check)
