"""Dashboard panels for visits and messages, so the dashboard view needs no change to show them;
how long something has waited, for the clinic's work list."""

from __future__ import annotations

from django import template
from django.utils import timezone

from patients.messaging.selectors import unread_message_count_for
from patients.visits.selectors import next_appointment_for
from patients.visits.services import booking_refusal, join_is_open

register = template.Library()


@register.inclusion_tag("patients/partials/next_visit.html", takes_context=True)
def next_visit_panel(context, patient) -> dict:
    """``{% next_visit_panel patient %}``: the next booked visit (in the patient's zone), or how
    to book one."""
    if patient is None:
        return {"appointment": None, "refusal": booking_refusal(None)}
    appointment = next_appointment_for(patient)
    return {
        "appointment": appointment,
        "can_join": bool(appointment and join_is_open(appointment, now=timezone.now())),
        "refusal": None if appointment else booking_refusal(patient),
        "zone": patient.time_zone_name,
    }


@register.inclusion_tag("patients/partials/messages_panel.html", takes_context=True)
def messages_panel(context) -> dict:
    """``{% messages_panel %}``: how many messages from the care team are unread."""
    return {"unread": unread_message_count_for(context["request"].user)}


@register.inclusion_tag("patients/partials/screening_badge.html")
def screening_badge(outcome, until=None) -> dict:
    """``{% screening_badge intake.screening_outcome intake.deferred_until %}``."""
    return {"outcome": outcome or "", "until": until}


def waited_words(since, now) -> str:
    """How long since ``since`` in the words of a busy clinic: "under a minute", "12 min", "5 h"
    (up to two days), then "3 days" (rounded down)."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


@register.filter
def waited(since) -> str:
    """``{{ item.since|waited }}``: "2 h", "3 days" (:func:`waited_words`)."""
    return waited_words(since, timezone.now()) if since else ""
