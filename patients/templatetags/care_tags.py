"""Dashboard panels for visits and messages, so the dashboard view needs no change to show them."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

from patients.booking import booking_refusal, join_is_open
from patients.selectors_booking import next_appointment_for
from patients.selectors_messaging import unread_message_count_for

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


# Screening outcome → (badge style, words). Written by a tag, not an included template, because
# the patient list shows one per row.
SCREENING_BADGES = {
    "eligible": ("text-bg-success", "Eligible"),
    "needs_review": ("text-bg-info", "Needs review"),
    "deferred": ("text-bg-warning", "Deferred"),
    "not_eligible": ("text-bg-danger", "Not eligible"),
}


@register.simple_tag
def screening_badge(outcome, until=None) -> str:
    """``{% screening_badge intake.screening_outcome intake.deferred_until %}``."""
    return _screening_badge(outcome or "", until)


@lru_cache(maxsize=1024)
def _screening_badge(outcome: str, until) -> str:
    # A handful of outcomes and dates recur on every list page: each badge is written once.
    style, words = SCREENING_BADGES.get(outcome, ("text-bg-light border", "Not screened"))
    if outcome == "deferred" and until:
        words = f"{words} until {format_date(until, 'M j')}"
    return format_html('<span class="badge {}">{}</span>', style, words)
