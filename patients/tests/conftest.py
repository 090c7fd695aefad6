"""Fixtures for the visit and message tests (the role fixtures are in the root conftest.py)."""

import pytest
import time_machine

from patients.tests.booking_helpers import MONDAY, give_hours
from patients.tests.factories import complete_intake
from patients.tests.stripe_standin import stripe_standin_running


@pytest.fixture(autouse=True)
def _private_media_in_tmp(private_storage):
    """Every test here keeps its uploads in a throwaway folder (the root conftest's fixture)."""
    return private_storage


@pytest.fixture
def clock():
    """Monday 2 March 2026, 09:00 in Chicago, standing still."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ready(clock, physician, patient):
    """The TX physician sees patients 09:00–17:00 Chicago every day; the TX patient has submitted
    their intake."""
    give_hours(physician)
    complete_intake(patient)
    patient.refresh_from_db()
    return physician, patient


@pytest.fixture
def stripe_standin(settings):
    """Payments on, with Stripe answered by a local stand-in (patients/tests/stripe_standin.py).
    Its events wait in ``stripe_standin.undelivered`` for the test to post to the webhook; a
    browser journey starts it with ``stripe_standin_running(settings, webhook_url=...)`` instead."""
    with stripe_standin_running(settings) as standin:
        yield standin
