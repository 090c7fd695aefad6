"""The physician's weekly hours, time off and time zone."""

import datetime as dt

import pytest

from patients.models import PhysicianProfile, TimeOff, WeeklyAvailability
from patients.tests.booking_helpers import give_hours, licensed_physician, local
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_physician_sets_hours_time_off_and_time_zone(client, clock, physician):
    sign_in(client, physician)
    response = client.post(
        "/clinic/availability/", {"action": "window", "weekday": "1", "start_time": "09:00", "end_time": "12:00"}
    )
    assert response["Location"] == "/clinic/availability/"
    window = WeeklyAvailability.objects.get(physician=physician)
    assert (window.weekday, window.start_time, window.end_time) == (1, dt.time(9), dt.time(12))
    client.post("/clinic/availability/", {"action": "time_zone", "time_zone": "America/New_York"})
    assert PhysicianProfile.objects.get(physician=physician).timezone == "America/New_York"
    client.post(
        "/clinic/availability/",
        {"action": "time_off", "starts_at": "2026-03-10T08:00", "ends_at": "2026-03-10T17:00", "reason": "Dentist"},
    )
    time_off = TimeOff.objects.get(physician=physician)
    assert time_off.starts_at == local(2026, 3, 10, 7)  # read in the physician's zone (New York)
    client.post(f"/clinic/availability/hours/{window.pk}/delete/")
    client.post(f"/clinic/availability/time-off/{time_off.pk}/delete/")
    assert not WeeklyAvailability.objects.exists() and not TimeOff.objects.exists()


@pytest.mark.django_db
def test_time_off_over_a_booked_visit_warns_that_it_stays_booked(client, visit, physician):
    sign_in(client, physician)
    response = client.post(
        "/clinic/availability/",
        {"action": "time_off", "starts_at": "2026-03-03T00:00", "ends_at": "2026-03-04T00:00"},
        follow=True,
    )
    assert "1 visit(s) already booked in that period stay booked" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
def test_another_physicians_hours_and_time_off_are_404(client, clock, physician):
    colleague = licensed_physician("TX")
    give_hours(colleague, weekdays=[1])
    time_off = TimeOff.objects.create(
        physician=colleague, starts_at=local(2026, 3, 9, 0), ends_at=local(2026, 3, 10, 0)
    )
    sign_in(client, physician)
    window = WeeklyAvailability.objects.get(physician=colleague)
    assert client.post(f"/clinic/availability/hours/{window.pk}/delete/").status_code == 404
    assert client.post(f"/clinic/availability/time-off/{time_off.pk}/delete/").status_code == 404
    assert WeeklyAvailability.objects.filter(pk=window.pk).exists() and TimeOff.objects.filter(pk=time_off.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "window", "weekday": "1", "start_time": "12:00", "end_time": "09:00"}, "The end must be after"),
        ({"action": "window", "weekday": "9", "start_time": "09:00", "end_time": "12:00"}, "Select a valid choice"),
        (
            {"action": "window", "weekday": "1", "start_time": "10:00", "end_time": "11:00"},
            "This overlaps your Tuesday",
        ),
        ({"action": "time_off", "starts_at": "2026-03-10T17:00", "ends_at": "2026-03-10T08:00"}, "The end must be"),
        ({"action": "time_off", "starts_at": "2026-02-10T08:00", "ends_at": "2026-02-10T17:00"}, "already over"),
        ({"action": "time_zone", "time_zone": "Mars/Olympus"}, "Select a valid choice"),
    ],
)
def test_bad_hours_show_the_error_and_save_nothing(client, clock, physician, data, message):
    give_hours(physician, weekdays=[1], start=dt.time(9), end=dt.time(12))
    sign_in(client, physician)
    response = client.post("/clinic/availability/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WeeklyAvailability.objects.count() == 1 and not TimeOff.objects.exists()
    assert PhysicianProfile.objects.get(physician=physician).timezone == "America/Chicago"
