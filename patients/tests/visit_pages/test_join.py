"""Joining a visit: the patient confirms the state they are in, and every attempt is recorded."""

import datetime as dt

import pytest

from patients.models import VisitJoinAttempt
from patients.tests.visit_pages.helpers import TUESDAY_10
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_joining_confirms_the_state_then_redirects_to_the_room(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=5))
    sign_in(client, patient.user)
    page = client.get(f"/patient/appointments/{visit.pk}/join/")
    assert "Which state are you in right now?" in page.content.decode()
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "TX", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/patient/appointments/{visit.pk}/room/"


@pytest.mark.django_db
def test_joining_from_a_state_without_a_license_explains_and_records(client, visit, patient, clock):
    clock.move_to(TUESDAY_10)
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "NV", "confirm": "on"})
    assert response.status_code == 200
    assert "not licensed in Nevada" in response.content.decode()
    assert visit.video_room not in response.content.decode()
    assert VisitJoinAttempt.objects.get().allowed is False


@pytest.mark.django_db
def test_joining_without_confirming_shows_the_error_and_records_nothing(client, visit, patient, clock):
    clock.move_to(TUESDAY_10)
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "TX"})
    assert response.status_code == 200 and "Please confirm where you are." in response.content.decode()
    assert not VisitJoinAttempt.objects.exists()
