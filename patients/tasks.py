"""Celery tasks of the patients app: they take ids only (never health data) and call a service
or send an email that says nothing about health."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(name="patients.tasks.send_visit_confirmation", **RETRY)
def send_visit_confirmation(appointment_id: int) -> None:
    """Email the patient that their visit is booked, with a calendar file."""
    from patients.models import Appointment
    from patients.visits.ics import visit_ics, visit_join_url
    from patients.visits.services import describe_moment
    from portal.notifications import email_render

    appointment = (
        Appointment.objects.select_related("patient__user", "patient__state")
        .filter(pk=appointment_id, status=Appointment.Status.BOOKED)
        .first()
    )
    if appointment is None or not appointment.patient.user.is_active:
        return
    user = appointment.patient.user
    context = {
        "user": user,
        "site_url": settings.SITE_URL,
        "when": describe_moment(appointment.starts_at, appointment.patient.time_zone_name),
        "minutes": appointment.duration_minutes,
        "join_url": visit_join_url(appointment),
    }
    subject, text, html = email_render("visit-booked", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.attach("video-visit.ics", visit_ics(appointment), "text/calendar; charset=utf-8; method=PUBLISH")
    message.send()


@shared_task(name="patients.tasks.send_secure_message_email", **RETRY)
def send_secure_message_email(user_id: int) -> None:
    """The email says "You have a new secure message in your portal", and nothing more."""
    from portal.models import User
    from portal.notifications import email_send_to_user

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    email_send_to_user(user=user, name="secure-message")
