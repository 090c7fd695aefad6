"""Booking a visit: where the patient will be, the times offered, confirmation, and bad input."""

import pytest

from patients.models import Appointment
from patients.tests.booking_helpers import give_hours
from patients.tests.factories import complete_intake
from patients.tests.visit_pages.helpers import TUESDAY_10, slot_value
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_booking_page_asks_where_the_patient_will_be_then_offers_times(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    first = client.get("/patient/appointments/book/")
    assert "Where will you be during the visit?" in first.content.decode()
    response = client.get("/patient/appointments/book/?state=TX")
    assert response.context["state"].code == "TX"
    assert sum(len(slots) for _, slots in response.context["days"]) > 0


@pytest.mark.django_db
def test_booking_page_refuses_a_state_not_served(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=NV")
    assert "Our physicians are not licensed in Nevada" in response.content.decode()
    assert "days" not in response.context


@pytest.mark.django_db
def test_choosing_a_time_shows_a_confirmation_before_booking(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get(f"/patient/appointments/book/?state=TX&slot={slot_value(physician, TUESDAY_10)}")
    assert "Book this visit" in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_patient_who_cannot_book_yet_is_told_why(client, clock, patient):
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=TX")
    assert "submit your intake" in response.content.decode()


@pytest.mark.django_db
def test_a_patient_with_a_visit_is_sent_to_reschedule_it(client, visit, patient):
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=TX")
    assert "You already have a visit booked" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"state": "TX", "slot": "not-a-slot"}, "Choose one of the times offered."),
        ({"state": "TX"}, "Choose one of the times offered."),
        ({"state": "NV", "slot": "1-1772553600"}, "not licensed in Nevada"),
        ({"slot": "1-1772553600"}, "Choose the state you will be in"),
        ({"state": "TX", "slot": "999999-1772553600"}, "Choose one of the times offered."),
    ],
)
def test_bad_booking_input_shows_the_error_and_saves_nothing(client, clock, physician, patient, data, message):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.post("/patient/appointments/book/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_time_just_taken_is_explained_not_an_error(client, visit, other_patient, physician):
    complete_intake(other_patient)
    sign_in(client, other_patient.user)
    response = client.post("/patient/appointments/book/", {"state": "TX", "slot": slot_value(physician, TUESDAY_10)})
    assert response.status_code == 200
    assert "that time was just taken" in response.content.decode()
    assert Appointment.objects.count() == 1
