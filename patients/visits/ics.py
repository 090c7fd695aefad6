"""Calendar files (.ics) for booked visits, made with the icalendar package. A calendar entry is
read by other apps and often synced to other people's devices: it holds the time and the link to
join, and nothing about the patient's health."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from patients.models import Appointment

PRODUCT_ID = "-//Care Team//Patient portal//EN"


def visit_join_url(appointment: Appointment) -> str:
    """The portal page that confirms where the patient is and then opens the video room. The room
    address itself is never handed out: going through this page is what makes the location check
    of docs/domain.md "Service states and licenses", point 2 unavoidable."""
    return settings.SITE_URL.rstrip("/") + reverse("patients:appointment_join", args=[appointment.pk])


def visit_ics(appointment: Appointment) -> bytes:
    join_url = visit_join_url(appointment)
    host = urlparse(settings.SITE_URL).hostname or "portal"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"visit-{appointment.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", "Video visit")
    event.add(
        "description",
        f"Join your video visit from your portal: {join_url}\n"
        "You will be asked to confirm which state you are in before the visit opens.",
    )
    event.add("location", join_url)
    event.add("url", join_url)
    event.add("status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED")
    event.add("sequence", 1 if appointment.status == Appointment.Status.CANCELLED else 0)
    calendar.add_component(event)
    return calendar.to_ical()
