"""The reminder the day before a visit."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from patients.reminders import patient_reminder_skip_reason
from portal.models import Reminder
from portal.reminders import register_reminder_check, reminder_schedule

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
    register_reminder_check(APPOINTMENT_KIND, check=_appointment_check)
