"""No double booking, ever: twenty patients race for one time against real PostgreSQL, each
request in its own thread and database connection. Exactly one gets the visit; the others get
the friendly "that time was just taken" page, never a server error."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from patients.models import Appointment, VisitType
from patients.tests.booking_helpers import CHICAGO, give_hours, licensed_physician, ready_patient
from patients.visits import services as visit_services
from portal.models import ServiceState
from portal.tests.signin import sign_in

RACERS = 20

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Each thread needs its own connection and a committed view of the data: no wrapping transaction.
# The root conftest restores the migration-seeded rows for every transactional test. The skip is
# decided at collection so that SQLite runs neither set up nor flush for a test that does nothing.
pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="concurrent bookings are raced on PostgreSQL (SQLite serialises writers)"
    ),
    pytest.mark.django_db(transaction=True),
]


def ensure_seeded_rows() -> None:
    ServiceState.objects.get_or_create(code="TX", defaults={"name": "Texas", "timezone": "America/Chicago"})
    VisitType.objects.get_or_create(kind="initial", defaults={"name": "Initial consultation", "duration_minutes": 45})
    VisitType.objects.get_or_create(kind="follow_up", defaults={"name": "Follow-up visit", "duration_minutes": 20})


@pytest.fixture
def postgres_only():
    """PostgreSQL, with room in this process's connection pool for every racer at once (the
    default pool would make the twentieth wait for a connection the first nineteen hold)."""
    assert connection.vendor == "postgresql"
    options = connection.settings_dict["OPTIONS"]
    pool = options.get("pool")
    if not pool:
        yield
        return
    connection.close()
    connection.close_pool()
    options["pool"] = {**pool, "max_size": RACERS + 2}
    yield
    connection.close()
    connection.close_pool()
    options["pool"] = pool


@pytest.fixture
def contested_slot(postgres_only):
    ensure_seeded_rows()
    physician = licensed_physician("TX")
    give_hours(physician)
    patients = [ready_patient() for _ in range(RACERS)]
    day = timezone.localdate(timezone=CHICAGO) + dt.timedelta(days=2)
    starts_at = dt.datetime.combine(day, dt.time(10), tzinfo=CHICAGO)
    return physician, patients, f"{physician.pk}-{int(starts_at.timestamp())}"


def race(patients, slot: str) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(patients))

    def attempt(patient) -> tuple[int, str]:
        try:
            client = Client(raise_request_exception=False)
            sign_in(client, patient.user)
            barrier.wait(timeout=30)
            response = client.post("/patient/appointments/book/", {"state": "TX", "slot": slot})
            return response.status_code, response.content.decode()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(patients)) as pool:
        return list(pool.map(attempt, patients))


def assert_one_winner(results, physician) -> None:
    codes = Counter(code for code, _ in results)
    assert codes == {302: 1, 200: RACERS - 1}, codes
    losers = [body for code, body in results if code == 200]
    assert all("that time was just taken" in body for body in losers)
    assert Appointment.objects.filter(physician=physician).exclude(status="cancelled").count() == 1


def test_twenty_patients_racing_for_one_time_get_one_visit(contested_slot):
    physician, patients, slot = contested_slot
    assert_one_winner(race(patients, slot), physician)


def test_the_database_alone_stops_the_losers_when_every_request_passes_the_python_check(contested_slot, monkeypatch):
    physician, patients, slot = contested_slot
    # As if all twenty checked before any inserted: only the exclusion constraint is left.
    monkeypatch.setattr(visit_services, "overlaps_any", lambda *args, **kwargs: False)
    assert_one_winner(race(patients, slot), physician)
