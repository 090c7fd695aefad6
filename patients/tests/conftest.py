"""Fixtures for the visit and message tests (the role fixtures are in the root conftest.py)."""

import pytest
import time_machine

from patients.tests.booking_helpers import MONDAY, give_hours
from patients.tests.factories import complete_intake


@pytest.fixture(autouse=True)
def _private_media_in_tmp(settings, tmp_path):
    """Uploads go to a throwaway folder, never to the developer's var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


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
