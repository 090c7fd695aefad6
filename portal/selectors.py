"""Reads of practice-core data that depend on who asks."""

from __future__ import annotations

import datetime as dt

from django.db.models import BigIntegerField, DateField, QuerySet
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User
from portal.prepared import PreparedQuery


def licensed_states(p) -> QuerySet[PhysicianLicense]:
    """The state ids of the licenses a physician (``p("physician_id")``) holds active on
    ``p("day")``, for :func:`licensed_state_ids_for` and as a subquery of prepared reads."""
    return (
        PhysicianLicense.objects.active_on(p("day", DateField()))
        .filter(physician_id=p("physician_id", BigIntegerField()))
        .order_by()
        .values_list("state_id", flat=True)
    )


LICENSED_STATES = PreparedQuery(licensed_states)


def licensed_state_ids_for(physician: User, *, day: dt.date | None = None) -> set[int]:
    """States where ``physician`` holds a license active on ``day`` (today by default).
    An expired or unverified license counts as none."""
    return set(LICENSED_STATES.all(physician_id=physician.pk, day=day or timezone.localdate()))


def physician_licenses_for(physician: User) -> QuerySet[PhysicianLicense]:
    return PhysicianLicense.objects.filter(physician=physician).select_related("state").order_by("state__code")


def active_service_states() -> QuerySet[ServiceState]:
    return ServiceState.objects.filter(active=True).order_by("name")


STATE_CHOICES = PreparedQuery(lambda p: ServiceState.objects.order_by("name", "pk").values_list("code", "name"))


def state_filter_choices() -> list[tuple[str, str]]:
    """Every state the practice has (served now or not) as (code, "Name (CODE)"), by name: the
    choices of the clinic's state filters."""
    return [(code, f"{name} ({code})") for code, name in STATE_CHOICES.all()]
