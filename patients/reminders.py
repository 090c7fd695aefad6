"""Follow-up reminders (DESIGN.md §4): due in 7 days, due today and not booked, overdue by 7 days.
Scheduled through the reminder engine in portal, checked again when they are sent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.models import FollowUp, Patient
from portal.models import Reminder
from portal.reminders import local_moment, register_reminder_check, reminder_schedule, reminders_cancel

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


def patient_reminder_skip_reason(patient: Patient | None, channel: str) -> str | None:
    """Reminders only reach patients whose state is still served and who did not opt out."""
    if patient is None:
        return "no patient record"
    if not patient.is_in_served_state:
        return "the patient's state is no longer served"
    if channel == Reminder.Channel.EMAIL and patient.email_opt_out:
        return "patient opted out of email reminders"
    if channel == Reminder.Channel.SMS and patient.sms_opt_out:
        return "patient opted out of text reminders"
    return None


def _followup_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    followup = FollowUp.objects.select_related("patient__state").filter(pk=pk).first()
    if followup is None:
        return "follow-up removed"
    if followup.status != FollowUp.Status.PENDING:
        return f"follow-up is {followup.get_status_display().lower()}"
    return patient_reminder_skip_reason(followup.patient, reminder.channel)


# --- Visit tomorrow -------------------------------------------------------------------------------

APPOINTMENT_KIND = "appointment-tomorrow"


def appointment_reminder_schedule(appointment) -> Reminder:
    """Remind the patient the day before a visit (held to sending hours; right away when the
    visit was booked less than a day ahead)."""
    patient = appointment.patient
    return reminder_schedule(
        kind=APPOINTMENT_KIND,
        recipient=patient.user,
        subject=f"patients.appointment:{appointment.pk}",
        due_at=max(appointment.starts_at - dt.timedelta(days=1), timezone.now()),
        time_zone=patient.time_zone_name,
    )


def _appointment_check(reminder: Reminder) -> str | None:
    from patients.models import Appointment

    _, _, pk = reminder.subject.partition(":")
    appointment = Appointment.objects.select_related("patient__state").filter(pk=pk).first()
    if appointment is None:
        return "visit removed"
    if appointment.status != Appointment.Status.BOOKED:
        return f"visit is {appointment.get_status_display().lower()}"
    if appointment.starts_at <= timezone.now():
        return "visit already started"
    return patient_reminder_skip_reason(appointment.patient, reminder.channel)


def register() -> None:
    register_reminder_check(*FOLLOWUP_KINDS, check=_followup_check)
    register_reminder_check(APPOINTMENT_KIND, check=_appointment_check)
