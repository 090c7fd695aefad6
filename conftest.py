"""Shared role fixtures: a patient, a physician, a pharmacy user and an admin,
and an outsider of each kind."""

import os

import pytest
from django.core.cache import cache

from patients.tests.factories import PatientFactory
from portal.celery import app as celery_app
from portal.tests.factories import AdminFactory, CoordinatorFactory, PhysicianLicenseFactory, state
from prescriptions.tests.factories import PharmacyLicenseFactory, PharmacyMembershipFactory

# In CI the services must be there: a test that needs them fails instead of skipping.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks queued by a request run in-process here; real workers are tested in their own tests.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploads and faxed prescriptions go to a throwaway folder, never to the developer's
    var/private. Returns that folder."""
    folder = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    settings.PRIVATE_MEDIA_ROOT = folder
    return folder


@pytest.fixture
def patient(db):
    """A patient living in Texas."""
    return PatientFactory(state=state("TX"))


@pytest.fixture
def other_patient(db):
    return PatientFactory(state=state("TX"))


@pytest.fixture
def physician(db):
    """A physician with an active Texas license."""
    return PhysicianLicenseFactory(state=state("TX")).physician


@pytest.fixture
def outsider_physician(db):
    """A physician licensed only in Iowa: Texas patients are out of their scope."""
    return PhysicianLicenseFactory(state=state("IA")).physician


@pytest.fixture
def pharmacy_user(db):
    membership = PharmacyMembershipFactory()
    PharmacyLicenseFactory(pharmacy=membership.pharmacy, state=state("TX"))
    return membership.user


@pytest.fixture
def outsider_pharmacy_user(db):
    membership = PharmacyMembershipFactory()
    PharmacyLicenseFactory(pharmacy=membership.pharmacy, state=state("FL"))
    return membership.user


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def coordinator(db):
    """A care coordinator: patients of every served state, no prescribing."""
    return CoordinatorFactory(first_name="Nora", last_name="Quinn")


@pytest.fixture
def role_users(patient, physician, pharmacy_user, coordinator, admin_user):
    return {
        "patient": patient.user,
        "physician": physician,
        "pharmacy": pharmacy_user,
        "coordinator": coordinator,
        "admin": admin_user,
    }


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test (real worker processes, concurrency) gets the rows that data
    migrations made (service states, articles) back, and none leaves content types duplicated
    for the next one."""
    return True
