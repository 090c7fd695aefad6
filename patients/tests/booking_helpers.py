"""Shared set-up for the visit tests: a fixed clock, weekly hours and an intake-ready patient."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from patients.models import PhysicianProfile, WeeklyAvailability
from patients.tests.factories import PatientFactory, complete_intake
from portal.tests.factories import PhysicianLicenseFactory, state

UTC = dt.UTC
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

# Monday 2 March 2026, 09:00 in Chicago (CST, UTC−6): the week before the clocks go forward.
MONDAY = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def local(year, month, day, hour, minute=0, zone=CHICAGO) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def give_hours(physician, *, weekdays=range(7), start=dt.time(9), end=dt.time(17), zone="America/Chicago"):
    PhysicianProfile.objects.update_or_create(physician=physician, defaults={"timezone": zone})
    for weekday in weekdays:
        WeeklyAvailability.objects.create(physician=physician, weekday=weekday, start_time=start, end_time=end)


def ready_patient(code="TX", zone="America/Chicago", **about):
    """A patient whose intake is submitted (waiting for review): allowed to book."""
    patient = PatientFactory(state=state(code), timezone=zone)
    complete_intake(patient, about={"state_code": code, "timezone": zone, **about})
    return patient


def licensed_physician(*codes, **license_kwargs):
    first = PhysicianLicenseFactory(state=state(codes[0]), **license_kwargs)
    for code in codes[1:]:
        PhysicianLicenseFactory(physician=first.physician, state=state(code), **license_kwargs)
    return first.physician


def slot_value(physician, starts_at) -> str:
    """The value a booking page's time button carries: ``<physician id>-<unix seconds>``."""
    return f"{physician.pk}-{int(starts_at.timestamp())}"
