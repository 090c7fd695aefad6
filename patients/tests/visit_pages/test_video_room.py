"""The video room's pages and its rule of entry (patients.visits.services.room_pass)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from patients.models import VisitEvent, VisitJoinAttempt
from patients.tests.visit_pages.helpers import TUESDAY_10
from patients.visits.selectors import room_admitted
from patients.visits.services import RoomRefused, appointment_join, room_event_record, room_pass
from portal.models import PhysicianLicense
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in


def attest(visit, patient, code="TX"):
    return appointment_join(appointment=visit, user=patient.user, state_code=code)


# --- Who may enter ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_patient_enters_after_confirming_where_they_are(visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=10))
    with pytest.raises(RoomRefused) as refused:
        room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    assert refused.value.attest and "confirm where you are" in refused.value.message
    attest(visit, patient)
    granted = room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    assert (granted.role, granted.state_code, room_admitted(visit)) == ("patient", "TX", False)


@pytest.mark.django_db
def test_a_confirmation_admits_for_30_minutes_only(visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=15))
    attest(visit, patient)
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=15))
    assert room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=15, seconds=1))
    with pytest.raises(RoomRefused) as refused:
        room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    assert refused.value.attest


@pytest.mark.django_db
def test_the_latest_answer_counts_a_refused_one_closes_the_room(visit, patient, clock):
    clock.move_to(TUESDAY_10)
    attest(visit, patient, "TX")
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=1))
    assert not attest(visit, patient, "NV").allowed
    with pytest.raises(RoomRefused, match="cannot see you in the state you named"):
        room_pass(appointment=visit, user=patient.user, mfa_completed=False)


@pytest.mark.django_db
def test_a_license_that_lapses_after_the_answer_closes_the_room(visit, patient, physician, clock):
    clock.move_to(TUESDAY_10)
    attest(visit, patient)
    PhysicianLicense.objects.filter(physician=physician).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(RoomRefused, match="holds no license active in the state you named"):
        room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    with pytest.raises(RoomRefused, match="You hold no license active in Texas"):
        room_pass(appointment=visit, user=physician, mfa_completed=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "message"),
    [("before", "The video room opens on"), ("after", "time has passed")],
)
def test_the_room_is_open_from_15_minutes_before_to_30_after(visit, patient, physician, clock, when, message):
    clock.move_to(visit.ends_at)
    attest(visit, patient)
    if when == "before":
        clock.move_to(visit.starts_at - dt.timedelta(minutes=15, seconds=1))
    else:
        clock.move_to(visit.ends_at + dt.timedelta(minutes=30, seconds=1))
    for user in (patient.user, physician):
        with pytest.raises(RoomRefused, match=message):
            room_pass(appointment=visit, user=user, mfa_completed=True)


@pytest.mark.django_db
def test_the_physician_needs_a_session_with_a_second_factor(visit, physician, clock):
    clock.move_to(TUESDAY_10)
    with pytest.raises(RoomRefused, match="authenticator"):
        room_pass(appointment=visit, user=physician, mfa_completed=False)
    assert room_pass(appointment=visit, user=physician, mfa_completed=True).role == "physician"


@pytest.mark.django_db
def test_nobody_else_enters_and_learns_nothing(visit, other_patient, outsider_physician, pharmacy_user, clock):
    clock.move_to(TUESDAY_10)
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    for user in (other_patient.user, outsider_physician, colleague, pharmacy_user):
        with pytest.raises(RoomRefused) as refused:
            room_pass(appointment=visit, user=user, mfa_completed=True)
        assert refused.value.not_found and refused.value.message == "Not found."


@pytest.mark.django_db
def test_a_cancelled_visit_has_no_room(visit, patient, clock):
    clock.move_to(TUESDAY_10)
    attest(visit, patient)
    visit.status = visit.Status.CANCELLED
    visit.save()
    with pytest.raises(RoomRefused, match="no longer booked"):
        room_pass(appointment=visit, user=patient.user, mfa_completed=False)


@pytest.mark.django_db
def test_only_the_physician_admits_or_ends(visit, patient, clock):
    clock.move_to(TUESDAY_10)
    attest(visit, patient)
    granted = room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    for kind in (VisitEvent.Kind.ADMITTED, VisitEvent.Kind.ENDED):
        with pytest.raises(PermissionDenied, match="Only the physician"):
            room_event_record(appointment=visit, user=patient.user, room_pass=granted, kind=kind)
    assert not VisitEvent.objects.exists()


# --- The pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_patient_room_page_allows_camera_and_the_socket_and_nothing_else_new(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=5))
    sign_in(client, patient.user)
    client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "TX", "confirm": "on"})
    response = client.get(f"/patient/appointments/{visit.pk}/room/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-socket-path="/ws/visits/{visit.pk}/"' in page
    assert "Camera and microphone check" in page and "visit-room.js" in page
    assert response["Permissions-Policy"].startswith("camera=(self), microphone=(self)")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["connect-src"] == "'self' ws://testserver"
    assert policy["script-src"] == "'self'"
    # Every other page keeps the camera and microphone off.
    assert client.get("/patient/appointments/")["Permissions-Policy"].startswith("camera=(), microphone=()")


@pytest.mark.django_db
def test_the_room_page_sends_a_patient_without_a_fresh_answer_to_the_question(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=5))
    sign_in(client, patient.user)
    response = client.get(f"/patient/appointments/{visit.pk}/room/", follow=True)
    assert response.redirect_chain == [(f"/patient/appointments/{visit.pk}/join/", 302)]
    assert "Please confirm where you are right now before you join." in response.content.decode()


@pytest.mark.django_db
def test_the_room_pages_are_404_outside_the_visit(client, visit, other_patient, outsider_physician, clock):
    clock.move_to(TUESDAY_10)
    VisitJoinAttempt.objects.create(appointment=visit, user=other_patient.user, stated_state_code="TX", allowed=True)
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/appointments/{visit.pk}/room/").status_code == 404
    sign_in(client, outsider_physician)
    assert client.get(f"/clinic/appointments/{visit.pk}/room/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("patient", "/clinic/appointments/{pk}/room/", 403),
        ("physician", "/patient/appointments/{pk}/room/", 403),
        ("pharmacy", "/patient/appointments/{pk}/room/", 403),
        ("pharmacy", "/clinic/appointments/{pk}/room/", 403),
        ("admin", "/clinic/appointments/{pk}/room/", 403),
    ],
)
def test_room_access_matrix(client, visit, role_users, clock, who, path, status):
    clock.move_to(TUESDAY_10)
    sign_in(client, role_users[who])
    assert client.get(path.format(pk=visit.pk)).status_code == status


@pytest.mark.django_db
def test_the_physician_room_page_and_the_visit_page_with_its_events(client, visit, patient, physician, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=2))
    attest(visit, patient)
    sign_in(client, physician)
    detail = client.get(f"/clinic/appointments/{visit.pk}/").content.decode()
    assert f'href="/clinic/appointments/{visit.pk}/room/"' in detail
    assert "Nobody has entered the video room yet." in detail
    room = client.get(f"/clinic/appointments/{visit.pk}/room/")
    assert room.status_code == 200 and 'data-role="physician"' in room.content.decode()
    assert "Admit" in room.content.decode()

    patient_pass = room_pass(appointment=visit, user=patient.user, mfa_completed=False)
    physician_pass = room_pass(appointment=visit, user=physician, mfa_completed=True)
    room_event_record(appointment=visit, user=patient.user, room_pass=patient_pass, kind="joined")
    room_event_record(appointment=visit, user=physician, room_pass=physician_pass, kind="joined")
    clock.move_to(TUESDAY_10)
    room_event_record(appointment=visit, user=physician, room_pass=physician_pass, kind="admitted")
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=12, seconds=30))
    room_event_record(appointment=visit, user=physician, room_pass=physician_pass, kind="ended")
    page = client.get(f"/clinic/appointments/{visit.pk}/").content.decode()
    assert "Patient joined from TX" in page
    assert "Physician admitted the patient" in page and "Physician ended the call" in page
    assert "Call length: <strong>12 min 30 s</strong>" in page


@pytest.mark.django_db
def test_a_physician_without_a_license_there_is_turned_back_with_the_reason(client, visit, physician, clock):
    clock.move_to(TUESDAY_10)
    PhysicianLicense.objects.filter(physician=physician).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    sign_in(client, physician)
    response = client.get(f"/clinic/appointments/{visit.pk}/room/", follow=True)
    assert response.redirect_chain == [(f"/clinic/appointments/{visit.pk}/", 302)]
    assert "You hold no license active in Texas today" in response.content.decode()
