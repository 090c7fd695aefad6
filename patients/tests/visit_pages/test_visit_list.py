"""The patient's visits page: upcoming and past visits, cancelling and rescheduling, and who may see it."""

import datetime as dt
import html
import re

import pytest
from django.utils.html import strip_tags

from patients.models import Appointment, VisitJoinAttempt
from patients.tests.booking_helpers import local
from patients.tests.visit_pages.helpers import CLINIC_PAGES, PATIENT_PAGES, TUESDAY_10, slot_value
from portal.tests.factories import state
from portal.tests.signin import sign_in


def text_of(response) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, white space collapsed."""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(response.content.decode())))


@pytest.mark.django_db
def test_patient_sees_upcoming_and_past_visits_in_their_zone(client, visit, patient, physician):
    past = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=visit.visit_type, location_state=state("TX"),
        starts_at=local(2026, 2, 2, 10), ends_at=local(2026, 2, 2, 10, 45), status="completed",
    )  # fmt: skip
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/")
    assert list(response.context["upcoming"]) == [visit]
    assert list(response.context["past"]) == [past]
    content = response.content.decode()
    assert "Tuesday, March 3, 2026 at 10:00 AM CST" in content
    assert "Reschedule" in content and "Cancel visit" in content
    assert "Times are shown in your time zone (Central Time)." in content and "America/Chicago" not in content
    assert f'href="/patient/appointments/{visit.pk}/calendar.ics">Add to calendar</a>' in content


@pytest.mark.django_db
def test_cancel_visit_is_a_link_to_a_page_that_asks_first(client, visit, patient, physician):
    sign_in(client, patient.user)
    content = client.get("/patient/appointments/").content.decode()
    assert (
        f'<a class="btn btn-outline-danger" href="/patient/appointments/{visit.pk}/cancel/">Cancel visit</a>' in content
    )
    assert f'action="/patient/appointments/{visit.pk}/cancel/"' not in content  # no one-tap cancel
    page = client.get(f"/patient/appointments/{visit.pk}/cancel/")
    assert page.status_code == 200
    text = text_of(page)
    assert f"Cancel your visit on Tuesday, March 3 at 10:00 AM CST with {physician.display_name}?" in text
    assert "Yes, cancel this visit" in text and "Keep my visit" in text
    assert "refund" not in text  # nothing was paid
    assert 'href="/patient/appointments/"' in page.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"  # asking changes nothing


@pytest.mark.django_db
def test_the_cancel_page_shows_the_visit_in_the_patients_own_zone(client, visit, patient, physician):
    patient.timezone = "America/New_York"
    patient.save(update_fields=["timezone"])
    sign_in(client, patient.user)
    text = text_of(client.get(f"/patient/appointments/{visit.pk}/cancel/"))
    assert f"Cancel your visit on Tuesday, March 3 at 11:00 AM EST with {physician.display_name}?" in text


@pytest.mark.django_db
def test_the_cancel_page_of_a_visit_that_can_no_longer_change_sends_the_patient_back(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=2))
    sign_in(client, patient.user)
    response = client.get(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert response.redirect_chain == [("/patient/appointments/", 302)]
    assert "up to 24 hours before" in response.content.decode()
    visit.status = "cancelled"
    visit.save(update_fields=["status"])
    clock.move_to(TUESDAY_10 - dt.timedelta(days=1, hours=2))
    response = client.get(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert "This visit is no longer booked." in response.content.decode()


@pytest.mark.django_db
def test_rescheduling_names_the_visit_being_replaced(client, visit, patient, physician):
    sign_in(client, patient.user)
    new_time = TUESDAY_10 + dt.timedelta(days=1)
    page = client.get(f"/patient/appointments/{visit.pk}/reschedule/?state=TX&slot={slot_value(physician, new_time)}")
    text = text_of(page)
    assert (
        f"Wednesday, March 4, 2026 at 10:00 AM CST with {physician.display_name} (45 minutes), instead of "
        f"Tuesday, March 3 at 10:00 AM CST with {physician.display_name}." in text
    )
    assert "Times are shown in your time zone (Central Time)." in text


@pytest.mark.django_db
def test_patient_cancels_and_reschedules_from_the_pages(client, visit, patient, physician):
    sign_in(client, patient.user)
    new_time = TUESDAY_10 + dt.timedelta(days=1)
    page = client.get(f"/patient/appointments/{visit.pk}/reschedule/?state=TX")
    assert page.status_code == 200 and page.context["replacing"] == visit
    response = client.post(
        f"/patient/appointments/{visit.pk}/reschedule/", {"state": "TX", "slot": slot_value(physician, new_time)}
    )
    assert response["Location"] == "/patient/appointments/"
    moved = Appointment.objects.get(status="booked")
    assert moved.starts_at == new_time and moved.rescheduled_from == visit
    response = client.post(f"/patient/appointments/{moved.pk}/cancel/", follow=True)
    assert "Your visit is cancelled." in response.content.decode()
    assert not Appointment.objects.filter(status="booked").exists()


@pytest.mark.django_db
def test_changes_inside_the_cutoff_are_refused_with_a_message(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=2))
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert "up to 24 hours before" in response.content.decode()
    response = client.get(f"/patient/appointments/{visit.pk}/reschedule/", follow=True)
    assert "up to 24 hours before" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/patient/appointments/{pk}/cancel/"),
        ("get", "/patient/appointments/{pk}/reschedule/"),
        ("get", "/patient/appointments/{pk}/join/"),
        ("post", "/patient/appointments/{pk}/join/"),
        ("get", "/patient/appointments/{pk}/calendar.ics"),
    ],
)
def test_another_patients_visit_is_404(client, visit, other_patient, method, path):
    sign_in(client, other_patient.user)
    assert getattr(client, method)(path.format(pk=visit.pk), {"state": "TX", "confirm": "on"}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == "booked" and not VisitJoinAttempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "pharmacy", "admin"])
@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_patient_visit_pages_refuse_other_roles(client, role_users, role, path):
    sign_in(client, role_users[role])
    assert client.get(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("path", [*PATIENT_PAGES, *CLINIC_PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")
