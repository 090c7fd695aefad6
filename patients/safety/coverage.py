"""Coverage when a license lapses or is unverified (docs/domain.md "Coverage"): patients in a state
with no physician licensed there today are listed for practice admins (the admin's patient list,
filter "No licensed physician") with a daily email that names no one, and booked visits whose
physician will not be licensed in the visit's state on its day are flagged on both sides, the
patient being asked, in a neutral email, to rebook."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patients.models import Appointment, Patient
from portal.access import licensure_day
from portal.license_reminders import practice_admins
from portal.models import PhysicianLicense, Reminder, ServiceState, User
from portal.reminders import portal_update_notify, register_reminder_kind, reminder_schedule

COVERAGE_KIND = "coverage-gap"


def _physician_licenses(**filters) -> list[PhysicianLicense]:
    """Verified licenses of active physicians, in one read: each is then judged on its state's own
    day (``License.is_active_on`` with ``licensure_day``)."""
    return list(
        PhysicianLicense.objects.filter(
            verified_at__isnull=False, physician__is_active=True, physician__role=User.Role.PHYSICIAN, **filters
        ).select_related("state")
    )


def uncovered_states(*, now: dt.datetime | None = None) -> list[ServiceState]:
    """Served states where no physician holds a license active on that state's day."""
    states = list(ServiceState.objects.filter(active=True))
    covered = {
        license_.state_id
        for license_ in _physician_licenses(state__in=states)
        if license_.is_active_on(licensure_day(license_.state, now))
    }
    return [state for state in states if state.pk not in covered]


def uncovered_patients(*, now: dt.datetime | None = None) -> QuerySet[Patient]:
    """Patients living in a served state that no physician can care for today."""
    return Patient.objects.filter(state__in=uncovered_states(now=now))


def visits_to_rebook(*, now: dt.datetime, physician: User | None = None) -> list[Appointment]:
    """Booked visits still ahead whose physician will hold no license active in the visit's state
    on its day, not flagged yet (their physicians' licenses read once, not once per visit)."""
    booked = Appointment.objects.filter(
        status=Appointment.Status.BOOKED, starts_at__gt=now, rebook_requested_at__isnull=True
    ).select_related("location_state", "patient")
    if physician is not None:
        booked = booked.filter(physician=physician)
    booked = list(booked)
    licenses: dict[tuple[int, int], list[PhysicianLicense]] = {}
    for license_ in _physician_licenses(physician_id__in={a.physician_id for a in booked}):
        licenses.setdefault((license_.physician_id, license_.state_id), []).append(license_)

    def covered(visit: Appointment) -> bool:
        day = licensure_day(visit.location_state, visit.starts_at)
        held = licenses.get((visit.physician_id, visit.location_state_id), [])
        return any(license_.is_active_on(day) for license_ in held)

    return [visit for visit in booked if not covered(visit)]


@transaction.atomic
def coverage_check(*, now: dt.datetime | None = None, physician: User | None = None) -> dict[str, int]:
    """Flag the visits to rebook (each patient gets "You have an update in your portal") and, when
    some patients have no licensed physician, schedule today's email to practice admins."""
    now = now or timezone.now()
    flagged = 0
    for visit in visits_to_rebook(now=now, physician=physician):
        Appointment.objects.filter(pk=visit.pk).update(rebook_requested_at=now)
        portal_update_notify(user_id=visit.patient.user_id, time_zone=visit.patient.time_zone_name)
        flagged += 1
    uncovered = 0
    if physician is None:
        uncovered = uncovered_patients(now=now).count()
        if uncovered:
            day = timezone.localdate(now)
            for admin in practice_admins():
                reminder_schedule(
                    kind=COVERAGE_KIND,
                    recipient=admin,
                    subject=f"coverage:{day.isoformat()}",
                    due_at=now,
                    time_zone=settings.TIME_ZONE,
                )
    return {"visits_flagged": flagged, "patients_uncovered": uncovered}


def license_changed(sender, instance, **kwargs) -> None:
    """``post_save`` of a physician license: once saved, flag the visits it no longer covers."""
    transaction.on_commit(lambda: coverage_check(physician=instance.physician))


def _still_uncovered(reminder: Reminder) -> str | None:
    return None if uncovered_patients().exists() else "every patient has a licensed physician again"


def register() -> None:
    register_reminder_kind(COVERAGE_KIND, check=_still_uncovered)
