"""The landing page answers "Do we serve your state?" before anyone signs up, says what a visit
costs (from the fee schedule) and who the physicians are (issue 17)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils.html import strip_tags

from patients.tests.factories import FeeScheduleFactory
from portal.tests.factories import PhysicianLicenseFactory, state

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_a_visitor_from_a_served_state_is_told_yes_and_invited_to_sign_up(client):
    response = client.get("/", {"state": "TX"})
    page = text(response)
    assert "Yes, we treat patients in Texas." in page
    assert 'href="/accounts/signup/"' in response.content.decode().split('id="state-check"')[1]


def test_a_visitor_from_an_unserved_state_learns_it_before_signing_up_and_can_join_the_waitlist(client):
    response = client.get("/", {"state": "NV"})
    assert "Not yet: we do not treat patients in Nevada." in text(response)
    assert 'href="/intake/waitlist/?state=NV"' in response.content.decode()


def test_a_state_the_practice_stopped_serving_is_not_served(client):
    state("GA").__class__.objects.filter(code="GA").update(active=False)
    assert "Not yet: we do not treat patients in Georgia." in text(client.get("/", {"state": "GA"}))


def test_a_made_up_state_gets_a_clear_message_and_no_answer(client):
    response = client.get("/", {"state": "ZZ"})
    assert response.status_code == 200
    page = text(response)
    assert "Choose a US state." in page and "we treat patients in" not in page


def test_the_landing_page_shows_the_visit_prices_from_the_fee_schedule(client):
    assert "Visit prices will be published here." in text(client.get("/"))
    FeeScheduleFactory(effective_from=dt.date(2026, 1, 1))
    page = text(client.get("/"))
    assert "Initial consultation by video: $250.00" in page and "Follow-up visit by video: $150.00" in page


def test_the_landing_page_names_the_physicians_and_where_they_are_licensed(client):
    license_ = PhysicianLicenseFactory(state=state("IA"), physician__first_name="Ana", physician__last_name="Reyes")
    PhysicianLicenseFactory(physician=license_.physician, state=state("TX"))
    page = text(client.get("/"))
    assert "Dr. Ana ReyesLicensed in Iowa, Texas" in page
