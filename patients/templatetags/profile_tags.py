"""The chart's flag for health answers the patient changed after the intake, so the chart view
needs no change to show it (docs/domain.md "Profile and moving")."""

from __future__ import annotations

from django import template

from patients.profile.selectors import open_health_answer_changes
from portal.access import physician_license_in

register = template.Library()


@register.inclusion_tag("patients/profile/_chart_changes.html", takes_context=True)
def health_changes_flag(context, patient) -> dict:
    """``{% health_changes_flag patient %}``: "Allergies changed on … — review" for each change
    not yet reviewed, with "Mark reviewed" for a physician licensed in the patient's state."""
    user = context["request"].user
    changes = list(open_health_answer_changes(patient).select_related("changed_by"))
    return {
        "patient": patient,
        "changes": changes,
        "can_review": bool(changes) and physician_license_in(user, patient.state) is not None,
        "csrf_token": context.get("csrf_token"),
    }
