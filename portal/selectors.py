"""Reads of practice-core data that depend on who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from portal.models import PhysicianLicense, ServiceState, User


def licensed_states(physician: User, *, day: dt.date | None = None) -> QuerySet[PhysicianLicense]:
    """The ids of the states where ``physician`` holds a license active on ``day`` (today by
    default), as a queryset: other reads use it as a subquery (``state_id__in=…``), so scoping a
    list to a physician costs no query of its own. An expired or unverified license counts as none."""
    return (
        PhysicianLicense.objects.active_on(day or timezone.localdate())
        .filter(physician_id=physician.pk)
        .order_by()
        .values_list("state_id", flat=True)
    )


def care_team_states(user: User, *, day: dt.date | None = None) -> QuerySet:
    """The ids of the states whose patients ``user`` cares for, as a subquery (docs/domain.md
    "Roles and access"): a physician's licensed states (:func:`licensed_states`); a care
    coordinator's, every state the practice serves (they prescribe nothing, so no license bounds
    them); nobody else's."""
    if user.role == User.Role.PHYSICIAN:
        return licensed_states(user, day=day)
    if user.role == User.Role.COORDINATOR:
        return ServiceState.objects.filter(active=True).order_by().values_list("pk", flat=True)
    return ServiceState.objects.none().values_list("pk", flat=True)


def licensed_state_ids_for(physician: User, *, day: dt.date | None = None) -> set[int]:
    """:func:`licensed_states` as a set."""
    return set(licensed_states(physician, day=day))


def physician_licenses_for(physician: User) -> QuerySet[PhysicianLicense]:
    return PhysicianLicense.objects.filter(physician=physician).select_related("state").order_by("state__code")


def active_service_states() -> QuerySet[ServiceState]:
    return ServiceState.objects.filter(active=True).order_by("name")


SERVED_STATE_NAMES_KEY = "portal:served-state-names"


def served_state_names() -> list[str]:
    """The names of the served states, by name, from the shared cache (public data; a saved or
    deleted service state clears it: portal.apps)."""
    names = cache.get(SERVED_STATE_NAMES_KEY)
    if names is None:
        names = list(active_service_states().values_list("name", flat=True))
        cache.set(SERVED_STATE_NAMES_KEY, names, 3600)
    return names


def served_state_names_forget(**kwargs) -> None:
    cache.delete(SERVED_STATE_NAMES_KEY)


def state_filter_choices() -> list[tuple[str, str]]:
    """Every state the practice has (served now or not) as (code, "Name (CODE)"), by name: the
    choices of the clinic's state filters."""
    return [
        (code, f"{name} ({code})")
        for code, name in ServiceState.objects.order_by("name", "pk").values_list("code", "name")
    ]


@dataclass(frozen=True)
class ExpiringLicense:
    license: PhysicianLicense
    days_left: int


def licenses_expiring(licenses, *, today: dt.date, within: int = 60) -> list[ExpiringLicense]:
    """Of ``licenses`` (already read), the verified ones that expire within ``within`` days of
    ``today``: the physician sees them on their clinic home at 60 and 30 days, as admins do by email."""
    return [
        ExpiringLicense(license_, (license_.expires_on - today).days)
        for license_ in licenses
        if license_.verified_at and 0 <= (license_.expires_on - today).days <= within
    ]


@dataclass(frozen=True)
class PracticePhysician:
    name: str
    states: list[str]


def practice_physicians(*, day: dt.date | None = None) -> list[PracticePhysician]:
    """The physicians a visitor can see on the landing page: active physicians with at least one
    license active today, with the names of those states. Names and states only."""
    licenses = (
        PhysicianLicense.objects.active_on(day or timezone.localdate())
        .filter(physician__is_active=True, physician__role=User.Role.PHYSICIAN, state__active=True)
        .select_related("physician", "state")
        .order_by("physician__last_name", "physician__first_name", "physician_id", "state__name")
    )
    physicians: dict[int, PracticePhysician] = {}
    for license_ in licenses:
        entry = physicians.setdefault(
            license_.physician_id, PracticePhysician(name=license_.physician.display_name, states=[])
        )
        if license_.state.name not in entry.states:
            entry.states.append(license_.state.name)
    return list(physicians.values())


def served_state(code: str) -> ServiceState | None:
    """The service state with this code if the practice serves it now, else None."""
    return ServiceState.objects.filter(code=code.upper(), active=True).first() if code else None
