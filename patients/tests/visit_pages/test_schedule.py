"""The physician's schedule and clinic home: visits in the physician's own zone, and query budgets."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.messaging.services import thread_start
from patients.models import Appointment, PhysicianProfile, VisitType
from patients.tests.booking_helpers import give_hours, licensed_physician, local, ready_patient
from patients.tests.visit_pages.helpers import CLINIC_PAGES
from portal.tests.factories import state
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_physician_sees_the_week_and_the_day_in_their_own_zone(client, visit, physician):
    PhysicianProfile.objects.filter(physician=physician).update(timezone="America/New_York")
    sign_in(client, physician)
    week = client.get("/clinic/schedule/")
    assert week.context["view"] == "week" and week.context["first"] == dt.date(2026, 3, 2)
    content = week.content.decode()
    assert "11:00 AM–11:45 AM EST" in content  # 10:00 in Chicago
    assert visit.patient.full_name in content
    day = client.get("/clinic/schedule/?view=day&date=2026-03-03")
    assert [a for _, items in day.context["days"] for a in items] == [visit]
    assert client.get("/clinic/schedule/?view=day&date=2026-03-04").context["days"][0][1] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "pharmacy", "admin"])
@pytest.mark.parametrize("path", CLINIC_PAGES)
def test_clinic_visit_pages_refuse_other_roles(client, role_users, role, path):
    sign_in(client, role_users[role])
    assert client.get(path).status_code == 403


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_schedule_and_visit_list_query_counts_do_not_grow_with_the_data(client, clock, physician):
    give_hours(physician)
    patients = [ready_patient() for _ in range(12)]
    follow_up = VisitType.objects.get(kind="follow_up")

    def add_visits(group, offset):
        for i, patient in enumerate(group, start=offset):
            Appointment.objects.create(
                patient=patient, physician=physician, visit_type=follow_up, location_state=state("TX"),
                starts_at=local(2026, 3, 2 + i % 5, 9 + i // 5),
                ends_at=local(2026, 3, 2 + i % 5, 9 + i // 5, 20),
                status="cancelled" if i % 4 == 3 else "booked",
            )  # fmt: skip

    add_visits(patients[:2], 0)
    sign_in(client, physician)
    small = _queries(client, "/clinic/schedule/")
    sign_in(client, patients[0].user)
    small_list = _queries(client, "/patient/appointments/")
    add_visits(patients[2:], 2)
    Appointment.objects.create(
        patient=patients[0], physician=physician, visit_type=follow_up, location_state=state("TX"),
        starts_at=local(2026, 2, 2, 9), ends_at=local(2026, 2, 2, 9, 20), status="completed",
    )  # fmt: skip
    sign_in(client, physician)
    large = _queries(client, "/clinic/schedule/")
    sign_in(client, patients[0].user)
    large_list = _queries(client, "/patient/appointments/")
    assert (small, small_list) == (large, large_list)
    assert large <= 8 and large_list <= 10


@pytest.mark.django_db
def test_clinic_home_shows_the_physicians_next_visits_and_unread_conversations(client, visit, physician, patient):

    other = licensed_physician("TX")
    thread_start(patient=patient, author=patient.user, subject="Dose question", body="Is 3 mg next?")
    sign_in(client, physician)
    response = client.get("/clinic/")
    assert response.context["next_visits"] == [visit]
    html = response.content.decode()
    assert "Tue Mar 3, 10:00 AM" in html and visit.patient.full_name in html
    assert "“Dose question”" in html  # the conversation waits on the work list
    sign_in(client, other)
    assert client.get("/clinic/").context["next_visits"] == []
