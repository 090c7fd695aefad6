"""The booking page on a phone: it opens on the patient's home state with its times, a strip of
days, the chosen day's times under each physician's name, the confirm panel as the place a chosen
time leads to, and a warning before booking a time inside the change window."""

import datetime as dt
import re

import pytest

from patients.tests.booking_helpers import give_hours, local, slot_value
from patients.tests.factories import complete_intake
from patients.visits.services import appointment_book
from portal.models import ServiceState
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in

BOOK = "/patient/appointments/book/"


def html(response) -> str:
    return response.content.decode()


def time_links(page: str) -> list[str]:
    """The href of every time offered (the links that lead to the confirm panel)."""
    return re.findall(r'href="\?([^"]*slot=[^"]*)#confirm"', page)


@pytest.fixture
def booking(client, clock, physician, patient):
    """A Texan patient with a submitted intake, signed in; the Texas physician sees patients
    09:00–17:00 Chicago every day. The clock is Monday 2 March 2026, 09:00 Chicago."""
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    return client


@pytest.mark.django_db
def test_the_page_opens_on_the_home_state_with_its_times_shown(booking):
    response = booking.get(BOOK)
    page = html(response)
    assert response.context["state"].code == "TX"
    assert re.search(r'<option value="TX"\s+selected>', page)
    assert "Your home state, Texas, is chosen." in page
    assert time_links(page), "the open times show without pressing 'Show open times'"


@pytest.mark.django_db
def test_another_state_chosen_replaces_the_home_state(booking):
    PhysicianLicenseFactory(state=state("FL"))
    response = booking.get(BOOK, {"state": "FL"})
    assert response.context["state"].code == "FL"
    assert "Your home state" not in html(response)


@pytest.mark.django_db
def test_a_home_state_no_longer_served_is_not_chosen_for_the_patient(booking, patient):
    ServiceState.objects.filter(code="TX").update(active=False)
    response = booking.get(BOOK)
    assert "state" not in response.context and "days" not in response.context
    assert "not licensed in" not in html(response)
    assert not re.search(r'<option value="TX"\s+selected>', html(response))


@pytest.mark.django_db
def test_the_care_team_books_from_the_patients_home_state_too(client, ready, coordinator):
    physician, patient = ready
    sign_in(client, coordinator)
    response = client.get(f"/clinic/patients/{patient.pk}/book/")
    assert response.context["state"].code == "TX"
    assert "The patient's home state, Texas, is chosen." in html(response)
    assert slot_value(physician, local(2026, 3, 2, 11, 15)) in html(response)  # 09:00 + 2 h notice


@pytest.mark.django_db
def test_times_are_grouped_under_each_physician_not_repeated_on_every_button(booking, physician):
    colleague = PhysicianLicenseFactory(
        state=state("TX"), physician__first_name="Ana", physician__last_name="Reyes"
    ).physician
    give_hours(colleague, start=dt.time(13), end=dt.time(17))
    response = booking.get(BOOK, {"state": "TX", "day": "2026-03-03"})
    page = html(response)
    groups = response.context["times_by_physician"]
    assert [p for p, _ in groups] == [physician, colleague]  # the earliest free physician first
    assert all(t["slot"].physician == p for p, times in groups for t in times)
    for doctor in (physician, colleague):
        heading = f">{doctor.display_name}</h4>"
        assert page.count(heading) == 1
    assert "· Dr." not in page  # no button repeats the physician's name on screen
    first = groups[1][1][0]["slot"]
    assert f'>1:00 PM<span class="visually-hidden">, Tuesday, March 3, with {colleague.display_name}</span>' in page
    assert first.starts_at == local(2026, 3, 3, 13)


@pytest.mark.django_db
def test_a_strip_of_days_with_empty_days_dimmed_and_earlier_and_later(client, clock, physician, patient):
    give_hours(physician, weekdays=[1, 3])  # Tuesdays and Thursdays
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get(BOOK)
    page = html(response)
    strip = response.context["strip"]
    assert [item["day"] for item in strip] == [dt.date(2026, 3, d) for d in range(2, 9)]
    assert [item["count"] > 0 for item in strip] == [False, True, False, True, False, False, False]
    # Tuesday, the first day with times, is chosen; its times are the ones offered.
    assert response.context["chosen_day"] == dt.date(2026, 3, 3)
    assert [item["current"] for item in strip].index(True) == 1
    assert "Tuesday, March 3</h3>" in page
    tuesday = strip[1]["count"]
    assert f"{tuesday} times</span></a>" in page
    assert len(time_links(page)) == tuesday
    assert all("day=2026-03-03" in href for href in time_links(page))
    # Days with times are links; days without are dimmed text, not links.
    assert 'href="?state=TX&amp;from=2026-03-05' not in page
    assert 'href="?state=TX&amp;from=2026-03-02&amp;day=2026-03-05#times-heading"' in page
    assert "day=2026-03-02" not in page and "day=2026-03-04" not in page
    assert page.count('class="day-strip-day day-strip-empty"') == 5
    # Later moves the strip a week on; Earlier comes back, never before today.
    assert 'href="?state=TX&amp;from=2026-03-09#times-heading">Later' in page
    assert "Earlier" not in page
    later = html(client.get(BOOK, {"state": "TX", "from": "2026-03-09"}))
    assert 'href="?state=TX&amp;from=2026-03-02#times-heading">← Earlier' in later


@pytest.mark.django_db
def test_the_day_chosen_on_the_strip_shows_that_days_times(booking, physician):
    response = booking.get(BOOK, {"state": "TX", "from": "2026-03-02", "day": "2026-03-05"})
    assert response.context["chosen_day"] == dt.date(2026, 3, 5)
    assert "Thursday, March 5</h3>" in html(response)
    assert all(
        t["slot"].starts_at.astimezone(local(2026, 3, 5, 0).tzinfo).date() == dt.date(2026, 3, 5)
        for _, times in response.context["times_by_physician"]
        for t in times
    )
    # A day off the strip or malformed falls back to the first day with times.
    for day in ("2026-04-30", "not-a-day"):
        assert booking.get(BOOK, {"state": "TX", "day": day}).context["chosen_day"] == dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_a_chosen_time_leads_to_the_confirm_panel_which_takes_the_focus(booking, physician):
    page = html(booking.get(BOOK))
    assert time_links(page) and "js/booking.js" not in page
    chosen = slot_value(physician, local(2026, 3, 3, 9, 45))
    response = booking.get(BOOK, {"state": "TX", "from": "2026-03-02", "slot": chosen})
    page = html(response)
    assert 'id="confirm" class="alert alert-primary booking-confirm" role="region"' in page
    assert 'tabindex="-1"' in page and "autofocus" not in page
    assert '<script src="/static/js/booking.js"></script>' in page
    # The strip opens on the chosen time's day, and the chosen time is marked.
    assert response.context["chosen_day"] == dt.date(2026, 3, 3)
    assert re.search(rf'btn-primary slot-time" href="\?[^"]*slot={chosen}#confirm" aria-current="true"', page)
    assert 'href="?state=TX&amp;from=2026-03-02&amp;day=2026-03-03#times-heading">Choose another time' in page


@pytest.mark.django_db
def test_times_within_the_change_window_are_flagged_before_confirming(booking, physician, settings):
    settings.APPOINTMENT_CHANGE_CUTOFF_HOURS = 24
    warning = "Within 24 hours:</strong> you won't be able to change or cancel this visit online."
    # Monday 15:45 is under 7 hours away; Tuesday 09:00 exactly 24 hours (still changeable online).
    soon = booking.get(BOOK, {"state": "TX", "slot": slot_value(physician, local(2026, 3, 2, 15, 45))})
    assert soon.context["chosen"]["soon"] and warning in html(soon)
    assert 'aria-describedby="confirm-soon"' in html(soon)
    later = booking.get(BOOK, {"state": "TX", "slot": slot_value(physician, local(2026, 3, 3, 9))})
    assert not later.context["chosen"]["soon"] and warning not in html(later)
    # The grid marks Monday's times; Tuesday's are not marked.
    monday = booking.get(BOOK, {"state": "TX", "day": "2026-03-02"})
    times = [t for _, ts in monday.context["times_by_physician"] for t in ts]
    assert times and all(t["soon"] for t in times)
    assert html(monday).count('<span class="slot-soon">within 24 h</span>') == len(times)
    tuesday = booking.get(BOOK, {"state": "TX", "day": "2026-03-03"})
    assert not any(t["soon"] for _, ts in tuesday.context["times_by_physician"] for t in ts)
    assert "slot-soon" not in html(tuesday)


@pytest.mark.django_db
def test_the_care_team_is_told_the_patient_cannot_change_a_visit_inside_the_window(client, ready, coordinator):
    physician, patient = ready
    sign_in(client, coordinator)
    page = html(
        client.get(
            f"/clinic/patients/{patient.pk}/book/",
            {"state": "TX", "slot": slot_value(physician, local(2026, 3, 2, 15, 45))},
        )
    )
    assert "the patient won't be able to change or cancel this visit online" in page


@pytest.mark.django_db
def test_moving_a_visit_starts_from_the_state_of_the_visit_being_moved(booking, physician, patient):
    PhysicianLicenseFactory(physician=physician, state=state("FL"))
    visit = appointment_book(
        patient=patient, physician=physician, starts_at=local(2026, 3, 3, 10), location_state=state("FL")
    )
    response = booking.get(f"/patient/appointments/{visit.pk}/reschedule/")
    assert response.context["state"].code == "FL"
    assert "Florida, where the visit being moved takes place, is chosen." in html(response)
    assert time_links(html(response))
