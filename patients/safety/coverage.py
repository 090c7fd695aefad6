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
from portal.access import physician_license_in, physicians_licensed_in
from portal.license_reminders import practice_admins
from portal.models import Reminder, ServiceState, User
from portal.reminders import portal_update_notify, register_reminder_kind, reminder_schedule

COVERAGE_KIND = "coverage-gap"


def uncovered_states(*, now: dt.datetime | None = None) -> list[ServiceState]:
    """Served states where no physician holds a license active on that state's day."""
    return [
        state for state in ServiceState.objects.filter(active=True) if not physicians_licensed_in(state, moment=now)
    ]


def uncovered_patients(*, now: dt.datetime | None = None) -> QuerySet[Patient]:
    """Patients living in a served state that no physician can care for today."""
    return Patient.objects.filter(state__in=uncovered_states(now=now))


def visits_to_rebook(*, now: dt.datetime, physician: User | None = None) -> list[Appointment]:
    """Booked visits still ahead whose physician will hold no license active in the visit's state
    on its day, not flagged yet."""
    booked = Appointment.objects.filter(
        status=Appointment.Status.BOOKED, starts_at__gt=now, rebook_requested_at__isnull=True
    ).select_related("physician", "location_state", "patient")
    if physician is not None:
        booked = booked.filter(physician=physician)
    return [a for a in booked if physician_license_in(a.physician, a.location_state, moment=a.starts_at) is None]


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
