"""The patient's home says when a visit waits for payment (only while payments are on)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from patients.tests.factories import FeeScheduleFactory, appointment_at, complete_intake
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_the_home_page_points_to_a_visit_waiting_for_payment(client, patient, settings):
    FeeScheduleFactory()
    complete_intake(patient)
    appointment_at(patient, timezone.now() + dt.timedelta(days=6))
    sign_in(client, patient.user)
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    assert "waiting for payment" not in client.get("/patient/").content.decode()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    page = client.get("/patient/").content.decode()
    assert "Your video visit, new patient on" in page and "is waiting for payment ($250.00)" in page
    assert 'href="/patient/billing/"' in page
