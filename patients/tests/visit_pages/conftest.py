"""A clock on the Monday before the visit, and a visit booked for Tuesday at 10:00."""

import pytest

from patients.tests.booking_helpers import give_hours
from patients.tests.factories import complete_intake
from patients.tests.visit_pages.helpers import TUESDAY_10
from patients.visits.services import appointment_book
from portal.tests.factories import state


@pytest.fixture
def visit(clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    patient.refresh_from_db()
    return appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"))
