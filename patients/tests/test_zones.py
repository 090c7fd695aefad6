"""Time zones in plain words on the pages (patients.zones.zone_label)."""

import pytest

from patients.zones import zone_label


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("America/Chicago", "Central Time"),
        ("America/New_York", "Eastern Time"),
        ("America/Denver", "Mountain Time"),
        ("America/Los_Angeles", "Pacific Time"),
        ("America/Phoenix", "Mountain Time (Arizona, no daylight saving)"),
        ("Europe/Berlin", "Europe/Berlin"),  # a zone no served state uses: its own name
    ],
)
def test_zones_are_named_as_people_say_them(zone, label):
    assert zone_label(zone) == label


@pytest.mark.django_db
def test_the_booking_page_and_the_clinic_schedule_say_the_zone_in_words(client, ready):
    from portal.tests.signin import sign_in

    physician, patient = ready
    patient.timezone = "America/Los_Angeles"
    patient.save(update_fields=["timezone"])
    sign_in(client, patient.user)
    content = client.get("/patient/appointments/book/").content.decode()
    assert "Times are shown in your time zone (Pacific Time)." in content
    sign_in(client, physician)
    assert "times in your zone (Central Time)" in client.get("/clinic/schedule/").content.decode()
