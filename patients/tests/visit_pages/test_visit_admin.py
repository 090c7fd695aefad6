"""Visits, hours and visit types in the admin."""

import pytest

from patients.models import VisitType
from portal.models import AccessLog
from portal.tests.factories import state
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_admin_lists_visits_with_filters_read_only_and_can_cancel(client, admin_user, visit, physician):
    sign_in(client, admin_user)
    for query in (
        f"?physician__id__exact={physician.pk}",
        f"?location_state__id__exact={state('TX').pk}",
        "?status__exact=booked",
        "?starts_at__year=2026&starts_at__month=3",
        "?q=Diaz",
    ):
        response = client.get("/admin/patients/appointment/" + query)
        assert response.status_code == 200 and list(response.context["cl"].result_list) == [visit], query
    assert client.get(f"/admin/patients/appointment/{visit.pk}/change/").status_code == 200
    assert AccessLog.objects.filter(patient__isnull=False).get().action == "admin.patients.appointment.view"
    assert client.get("/admin/patients/appointment/add/").status_code == 403
    client.post(
        "/admin/patients/appointment/",
        {"action": "cancel_visits", "_selected_action": [visit.pk]},
    )
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by) == ("cancelled", admin_user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/patients/visittype/",
        "/admin/patients/weeklyavailability/",
        "/admin/patients/timeoff/",
        "/admin/patients/physicianprofile/",
    ],
)
def test_admin_lists_hours_and_visit_types(client, admin_user, visit, path):
    sign_in(client, admin_user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_changes_the_length_of_a_visit_type(client, admin_user):
    follow_up = VisitType.objects.get(kind="follow_up")
    sign_in(client, admin_user)
    response = client.post(
        f"/admin/patients/visittype/{follow_up.pk}/change/", {"name": "Follow-up", "duration_minutes": "25"}
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.name, follow_up.duration_minutes) == ("Follow-up", 25)


@pytest.mark.django_db
def test_admin_shows_the_video_rooms_events_read_only(client, admin_user, visit, patient, physician):
    from patients.models import VisitEvent

    VisitEvent.objects.create(
        appointment=visit, user=patient.user, role="patient", kind="joined", at=visit.starts_at, state_code="TX"
    )
    VisitEvent.objects.create(appointment=visit, user=physician, role="physician", kind="admitted", at=visit.starts_at)
    sign_in(client, admin_user)
    page = client.get(f"/admin/patients/appointment/{visit.pk}/change/").content.decode()
    assert "Admitted the patient" in page and "Joined" in page
    assert 'name="room_events-0-kind"' not in page  # shown, not editable
