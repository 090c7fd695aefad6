"""Open visit times: weekly hours in the physician's zone, shown in the patient's, right across the
daylight-saving changes (second Sunday of March, first Sunday of November)."""

import datetime as dt

import pytest
import time_machine

from patients.models import Appointment, TimeOff, VisitType
from patients.tests.booking_helpers import CHICAGO, NEW_YORK, UTC, give_hours, licensed_physician, local, ready_patient
from patients.visits.selectors import open_slots
from patients.visits.slots import free_starts, local_to_utc, windows_on
from portal.tests.factories import state
from portal.tests.signin import sign_in

FOLLOW_UP = dt.timedelta(minutes=20)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def follow_up():
    return VisitType.objects.get(kind="follow_up")


def test_a_skipped_wall_time_is_read_as_daylight_time():
    # 02:30 does not exist in Chicago on 8 March 2026; it is read with the offset before the change.
    assert local_to_utc(dt.date(2026, 3, 8), dt.time(2, 30), CHICAGO) == utc(2026, 3, 8, 8, 30)


def test_a_window_across_spring_forward_is_one_hour_shorter():
    (window,) = windows_on(dt.date(2026, 3, 8), [(dt.time(1), dt.time(4))], CHICAGO)
    assert window == (utc(2026, 3, 8, 7), utc(2026, 3, 8, 9))  # 01:00 CST → 04:00 CDT is two real hours
    starts = free_starts(window, [], duration=FOLLOW_UP, not_before=utc(2026, 1, 1), not_after=utc(2027, 1, 1))
    assert len(starts) == 6
    assert [s.astimezone(CHICAGO).strftime("%H:%M") for s in starts] == [
        "01:00", "01:20", "01:40", "03:00", "03:20", "03:40",
    ]  # fmt: skip


def test_a_window_across_fall_back_is_one_hour_longer():
    (window,) = windows_on(dt.date(2026, 11, 1), [(dt.time(0), dt.time(3))], CHICAGO)
    assert window == (utc(2026, 11, 1, 5), utc(2026, 11, 1, 9))  # 00:00 CDT → 03:00 CST is four real hours
    starts = free_starts(window, [], duration=FOLLOW_UP, not_before=utc(2026, 1, 1), not_after=utc(2027, 1, 1))
    assert len(starts) == 12
    assert all(b - a == FOLLOW_UP for a, b in zip(starts, starts[1:], strict=False))


def test_a_busy_period_pushes_the_next_slot_to_its_end():
    window = (utc(2026, 3, 3, 15), utc(2026, 3, 3, 17))
    busy = [(utc(2026, 3, 3, 15, 20), utc(2026, 3, 3, 16, 5))]  # a 45-minute visit at 09:20
    starts = free_starts(window, busy, duration=FOLLOW_UP, not_before=utc(2026, 1, 1), not_after=utc(2027, 1, 1))
    assert [s.strftime("%H:%M") for s in starts] == ["15:00", "16:05", "16:25"]


def _slots(state_code, start, end):
    return open_slots(state=state(state_code), visit_type=follow_up(), start=start, end=end)


@pytest.mark.django_db
def test_nine_oclock_stays_nine_oclock_local_on_the_second_sunday_of_march():
    physician = licensed_physician("TX")
    give_hours(physician, weekdays=[5, 6], start=dt.time(9), end=dt.time(9, 20))
    with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
        slots = _slots("TX", local(2026, 3, 7, 0), local(2026, 3, 9, 0))
    assert [s.starts_at for s in slots] == [utc(2026, 3, 7, 15), utc(2026, 3, 8, 14)]  # CST, then CDT
    assert {s.starts_at.astimezone(CHICAGO).strftime("%H:%M") for s in slots} == {"09:00"}


@pytest.mark.django_db
def test_nine_oclock_stays_nine_oclock_local_on_the_first_sunday_of_november():
    physician = licensed_physician("TX")
    give_hours(physician, weekdays=[5, 6], start=dt.time(9), end=dt.time(9, 20))
    with time_machine.travel(utc(2026, 10, 26, 15), tick=False):
        slots = _slots("TX", local(2026, 10, 31, 0), local(2026, 11, 2, 0))
    assert [s.starts_at for s in slots] == [utc(2026, 10, 31, 14), utc(2026, 11, 1, 15)]  # CDT, then CST
    assert {s.starts_at.astimezone(CHICAGO).strftime("%H:%M") for s in slots} == {"09:00"}


@pytest.mark.django_db
def test_a_patient_in_another_zone_sees_the_physicians_hours_in_their_own_zone_across_the_change(client):
    physician = licensed_physician("FL")
    # Sundays 09:00–09:45 Chicago: room for one initial consultation (45 minutes).
    give_hours(physician, weekdays=[6], start=dt.time(9), end=dt.time(9, 45))
    patient = ready_patient("FL", "America/New_York")
    sign_in(client, patient.user)
    with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
        response = client.get("/patient/appointments/book/?state=FL&from=2026-03-08")
    (day, day_slots) = response.context["days"][0]
    assert day == dt.date(2026, 3, 8)
    assert [s.starts_at for s in day_slots] == [utc(2026, 3, 8, 14)]
    assert day_slots[0].starts_at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "10:00 EDT"
    assert ">10:00 AM<" in response.content.decode()


@pytest.mark.django_db
def test_only_physicians_licensed_in_the_state_on_the_visit_date_are_offered():
    tx = licensed_physician("TX")
    licensed_physician("IA")
    expiring = licensed_physician("TX", expires_on=dt.date(2026, 3, 4))
    for physician in (tx, expiring):
        give_hours(physician, start=dt.time(9), end=dt.time(9, 20))
    unverified = licensed_physician("TX", verified_at=None)
    give_hours(unverified, start=dt.time(9), end=dt.time(9, 20))
    with time_machine.travel(MONDAY_8AM := utc(2026, 3, 2, 14), tick=False):
        slots = _slots("TX", MONDAY_8AM, MONDAY_8AM + dt.timedelta(days=7))
    by_physician = {}
    for slot in slots:
        by_physician.setdefault(slot.physician, []).append(slot.starts_at.astimezone(CHICAGO).date())
    assert set(by_physician) == {tx, expiring}
    assert max(by_physician[expiring]) == dt.date(2026, 3, 4)  # still licensed on its expiry day
    # Tuesday to Sunday: Monday 09:00 is inside the two hours' notice, next Monday outside the week.
    assert by_physician[tx] == [dt.date(2026, 3, d) for d in range(3, 9)]


@pytest.mark.django_db
def test_booked_visits_time_off_and_the_minimum_notice_remove_slots():
    physician = licensed_physician("TX")
    give_hours(physician, weekdays=[0, 1], start=dt.time(9), end=dt.time(10))
    patient = ready_patient()
    Appointment.objects.create(
        patient=patient, physician=physician, visit_type=follow_up(), location_state=state("TX"),
        starts_at=local(2026, 3, 3, 9, 20), ends_at=local(2026, 3, 3, 9, 40),
    )  # fmt: skip
    Appointment.objects.create(
        patient=patient, physician=physician, visit_type=follow_up(), location_state=state("TX"),
        starts_at=local(2026, 3, 3, 9, 40), ends_at=local(2026, 3, 3, 10), status="cancelled",
    )  # fmt: skip
    TimeOff.objects.create(physician=physician, starts_at=local(2026, 3, 9, 0), ends_at=local(2026, 3, 10, 0))
    with time_machine.travel(local(2026, 3, 2, 7, 30), tick=False):  # 07:30: two hours' notice → 09:40 first
        slots = _slots("TX", local(2026, 3, 2, 0), local(2026, 3, 10, 0))
    assert [s.starts_at.astimezone(CHICAGO).strftime("%a %d %H:%M") for s in slots] == [
        "Mon 02 09:40", "Tue 03 09:00", "Tue 03 09:40",
    ]  # fmt: skip
