"""Reads of safety work items for a physician (patients in the states where they are licensed)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from patients.models import CareItem
from portal.models import User
from portal.selectors import care_team_states, licensed_states


def open_care_items_for(user: User) -> QuerySet[CareItem]:
    """Open items of patients in the care team member's states (a physician's licensed states, a
    coordinator's served states): urgent first, then the longest waiting. Coordinators see them
    to reach the patient; only physicians resolve them."""
    urgent_first = Case(
        When(priority=CareItem.Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        CareItem.objects.filter(resolved_at__isnull=True, patient__state_id__in=care_team_states(user))
        .select_related("patient__user", "patient__state", "checkin")
        .order_by(urgent_first, "created_at")
    )


def care_item_for(physician: User, pk: int) -> CareItem | None:
    """One item (open or resolved) of a patient in the physician's licensed states."""
    return (
        CareItem.objects.filter(pk=pk, patient__state_id__in=licensed_states(physician))
        .select_related("patient__user", "patient__state", "checkin", "resolved_by")
        .first()
    )
