"""Fixtures of the prescriptions tests: an approved Texas patient with a plan, a pharmacy that is
the practice's default for Texas, and orders at each stage."""

import pytest

from portal.models import ServiceState
from prescriptions.models import StateDefaultPharmacy
from prescriptions.tests.factories import approve_intake, make_draft, make_plan, sign


@pytest.fixture
def approved_patient(patient, physician):
    return approve_intake(patient, physician)


@pytest.fixture
def tx_pharmacy(pharmacy_user):
    """The pharmacy of ``pharmacy_user``: licensed in Texas and the practice's default there."""
    pharmacy = pharmacy_user.pharmacy_membership.pharmacy
    StateDefaultPharmacy.objects.update_or_create(
        state=ServiceState.objects.get(code="TX"), defaults={"pharmacy": pharmacy}
    )
    return pharmacy


@pytest.fixture
def plan(approved_patient, physician):
    return make_plan(approved_patient, physician)


@pytest.fixture
def draft(plan, physician):
    return make_draft(plan, physician)


@pytest.fixture
def sent_order(draft, physician, tx_pharmacy):
    return sign(draft, physician)
