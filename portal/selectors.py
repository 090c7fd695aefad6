"""Reads of practice-core data that depend on who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User


def licensed_state_ids_for(physician: User, *, day: dt.date | None = None) -> set[int]:
    """States where ``physician`` holds a license active on ``day`` (today by default).
    An expired or unverified license counts as none."""
    day = day or timezone.localdate()
    return set(PhysicianLicense.objects.active_on(day).filter(physician=physician).values_list("state_id", flat=True))


def physician_licenses_for(physician: User) -> QuerySet[PhysicianLicense]:
    return PhysicianLicense.objects.filter(physician=physician).select_related("state").order_by("state__code")


def active_service_states() -> QuerySet[ServiceState]:
    return ServiceState.objects.filter(active=True).order_by("name")
