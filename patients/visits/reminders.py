"""The emails about a visit: the confirmation with its calendar file, sent as soon as the visit
is booked, and the reminder the day before."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from patients.models import Appointment
from patients.reminders import patient_reminder_skip_reason
from patients.visits.ics import visit_ics, visit_join_url
from patients.zones import describe_moment
from portal.models import Reminder
from portal.notifications import email_message
from portal.reminders import local_moment, register_reminder_kind, reminder_schedule

APPOINTMENT_KIND = "appointment-tomorrow"


# The day-before reminder goes out at 10:00 in the patient's zone.
REMINDER_HOUR = 10


def _local_day(moment: dt.datetime, zone_name: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def appointment_reminder_schedule(appointment) -> Reminder | None:
    """Remind the patient at 10:00 the day before a visit, in their zone. A visit booked after
    that time on the day before is reminded at once; one booked for the same day gets no "your
    visit is tomorrow" (its confirmation is the reminder)."""
    patient = appointment.patient
    zone = patient.time_zone_name
    visit_day = _local_day(appointment.starts_at, zone)
    due_at = local_moment(visit_day - dt.timedelta(days=1), REMINDER_HOUR, zone)
    now = timezone.now()
    if due_at < now:
        if _local_day(now, zone) != visit_day - dt.timedelta(days=1):
            return None
        due_at = now
    return reminder_schedule(
        kind=APPOINTMENT_KIND,
        recipient=patient.user,
        subject=f"patients.appointment:{appointment.pk}",
        due_at=due_at,
        time_zone=zone,
    )


def _appointment_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    appointment = Appointment.objects.select_related("patient__state").filter(pk=pk).first()
    if appointment is None:
        return "visit removed"
    if appointment.status != Appointment.Status.BOOKED:
        return f"visit is {appointment.get_status_display().lower()}"
    zone = appointment.patient.time_zone_name
    if _local_day(appointment.starts_at, zone) != _local_day(timezone.now(), zone) + dt.timedelta(days=1):
        return "visit is not tomorrow"
    return patient_reminder_skip_reason(appointment.patient, reminder.channel)


CONFIRMATION_KIND = "visit-booked"


def _booked_appointment(reminder: Reminder) -> Appointment | None:
    _, _, pk = reminder.subject.partition(":")
    return Appointment.objects.select_related("patient__state", "patient__user").filter(pk=pk).first()


def _confirmation_check(reminder: Reminder) -> str | None:
    appointment = _booked_appointment(reminder)
    if appointment is None:
        return "visit removed"
    if appointment.status != Appointment.Status.BOOKED:
        return f"visit is {appointment.get_status_display().lower()}"
    return None


def _confirmation_render(reminder: Reminder):
    """ "Your video visit is booked" with the time in the patient's zone, the join link and a
    calendar file; nothing about why."""
    appointment = _booked_appointment(reminder)
    message = email_message(
        user=reminder.recipient,
        name="visit-booked",
        context={
            "when": describe_moment(appointment.starts_at, appointment.patient.time_zone_name),
            "minutes": appointment.duration_minutes,
            "join_url": visit_join_url(appointment),
        },
    )
    message.attach("video-visit.ics", visit_ics(appointment), "text/calendar; charset=utf-8; method=PUBLISH")
    return message


def visit_confirmation_schedule(appointment: Appointment) -> Reminder:
    """The confirmation goes out at once, at any hour: the patient has just booked."""
    patient = appointment.patient
    return reminder_schedule(
        kind=CONFIRMATION_KIND,
        recipient=patient.user,
        subject=f"patients.appointment:{appointment.pk}",
        due_at=timezone.now(),
        time_zone=patient.time_zone_name,
    )


def register() -> None:
    register_reminder_kind(APPOINTMENT_KIND, check=_appointment_check)
    register_reminder_kind(CONFIRMATION_KIND, check=_confirmation_check, render=_confirmation_render, quiet_hours=False)
