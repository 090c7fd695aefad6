"""An order shipped to the patient, and a refill request on it."""

import pytest

from prescriptions.orders import refills
from prescriptions.tests.factories import advance


@pytest.fixture
def shipped(sent_order, pharmacy_user):
    return advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")


@pytest.fixture
def refill_request(shipped, approved_patient):
    return refills.refill_request_create(order=shipped, patient=approved_patient)
