"""Follow-ups derived from the plan: every dose change, scheduled steps included, owes a visit
within the plan's 7–28 days; a visit satisfies only the changes before it; on the maintenance dose
after a visit, every 90 days. Exact due dates for the templates a physician uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from patients.followups.rules import DoseChange, followup_obligation
from patients.models import Appointment, FollowUp
from patients.tests.booking_helpers import give_hours, local
from patients.visits.services import appointment_book, appointment_cancel, appointment_record_outcome
from portal.tests.factories import state
from portal.tests.signin import sign_in
from prescriptions.dosing import Step
from prescriptions.plans.followups import plan_dose_changes
from prescriptions.tests.factories import make_plan

# Tuesday 1 December 2026, noon in Chicago: the patient lives in Texas.
DEC_1 = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)


def d(month, day, year=2026):
    return dt.date(year, month, day)


def due(patient, *seen):
    """(reason, counts from, due on) of the patient's obligation after visits on ``seen``."""
    obligation = followup_obligation(plan_dose_changes(patient), list(seen))
    return (obligation.reason, obligation.counts_from, obligation.due_on) if obligation else None


@pytest.fixture
def today_dec_1():
    with time_machine.travel(DEC_1, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_standard_plan_owes_a_visit_after_the_start_and_each_step_then_every_90_days(
    approved_patient, physician, today_dec_1
):
    make_plan(approved_patient, physician, template="standard", start_date=d(12, 1))  # 1.5 → 3.0 Dec 8 → 4.5 Dec 15
    assert due(approved_patient) == ("start", d(12, 1), d(12, 15))
    # a visit on Dec 10 follows the start and the Dec 8 step, not the Dec 15 step that is still to come
    assert due(approved_patient, d(12, 10)) == ("dose_change", d(12, 15), d(12, 29))
    assert due(approved_patient, d(12, 10), d(12, 28)) == ("stable", d(12, 28), d(3, 28, 2027))


@pytest.mark.django_db
def test_sensitive_plan_owes_a_visit_two_weeks_after_each_step_not_one_on_march_1(
    approved_patient, physician, today_dec_1
):
    # 0.5 from Dec 2, 1.0 Dec 16, 1.5 Dec 30, 3.0 Jan 13, 4.5 Jan 27
    make_plan(approved_patient, physician, template="sensitive", start_date=d(12, 2))
    assert due(approved_patient) == ("start", d(12, 2), d(12, 16))
    assert due(approved_patient, d(12, 14)) == ("dose_change", d(12, 16), d(12, 30))
    # Dec 29 falls between the Dec 16 and Dec 30 steps: it satisfies the first, not the second
    assert due(approved_patient, d(12, 14), d(12, 29)) == ("dose_change", d(12, 30), d(1, 13, 2027))
    assert due(approved_patient, d(12, 14), d(12, 29), d(1, 12, 2027)) == (
        "dose_change",
        d(1, 13, 2027),
        d(1, 27, 2027),
    )
    seen = [d(12, 14), d(12, 29), d(1, 12, 2027), d(1, 26, 2027)]
    assert due(approved_patient, *seen) == ("dose_change", d(1, 27, 2027), d(2, 10, 2027))
    assert due(approved_patient, *seen, d(2, 9, 2027)) == ("stable", d(2, 9, 2027), d(5, 10, 2027))


@pytest.mark.django_db
def test_the_physicians_interval_applies_to_each_change_of_that_version(approved_patient, physician, today_dec_1):
    make_plan(approved_patient, physician, template="standard", start_date=d(12, 1), followup_due_in_days=7)
    assert due(approved_patient) == ("start", d(12, 1), d(12, 8))
    assert due(approved_patient, d(12, 9)) == ("dose_change", d(12, 15), d(12, 22))


@pytest.mark.django_db
def test_a_dose_decrease_is_a_dose_change(approved_patient, physician, today_dec_1):
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("3.0"), None)], start_date=d(12, 1))
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("1.5"), None)], start_date=d(12, 5),
              note="Vivid dreams")  # fmt: skip
    assert due(approved_patient, d(12, 4)) == ("dose_change", d(12, 5), d(12, 19))


@pytest.mark.django_db
def test_a_switch_to_morning_at_the_same_dose_owes_no_visit(approved_patient, physician, today_dec_1):
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("4.5"), None)], start_date=d(12, 1))
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("4.5"), None)], start_date=d(12, 20),
              dosing_time="morning")  # fmt: skip
    assert [change.day for change in plan_dose_changes(approved_patient)] == [d(12, 1)]
    assert due(approved_patient, d(12, 10)) == ("stable", d(12, 10), d(3, 10, 2027))


def test_a_visit_on_the_day_of_a_change_does_not_satisfy_it():
    changes = [DoseChange(d(12, 1), is_start=True), DoseChange(d(12, 15))]
    assert followup_obligation(changes, [d(12, 15)]).counts_from == d(12, 15)
    assert followup_obligation(changes, [d(12, 16)]).reason == "stable"
    assert followup_obligation([], [d(12, 16)]) is None


# --- the stored follow-up follows the plan and the visits ---------------------------------------


@pytest.mark.django_db
def test_booking_links_the_visit_completing_it_opens_the_next_and_a_plan_change_moves_it(
    client, approved_patient, physician, today_dec_1
):
    give_hours(physician)
    make_plan(approved_patient, physician, template="sensitive", start_date=d(12, 2))
    followup = FollowUp.objects.get(patient=approved_patient)
    assert (followup.status, followup.due_on) == ("pending", d(12, 16))

    visit = appointment_book(
        patient=approved_patient, physician=physician, starts_at=local(2026, 12, 14, 10), location_state=state("TX")
    )
    followup.refresh_from_db()
    assert (visit.followup, followup.status) == (followup, "booked")
    sign_in(client, approved_patient.user)
    page = client.get("/patient/").content.decode()
    assert "Book now" not in page

    today_dec_1.move_to(local(2026, 12, 14, 10, 25))
    appointment_record_outcome(appointment=visit, physician=physician, outcome="completed")
    followup.refresh_from_db()
    following = FollowUp.objects.get(patient=approved_patient, status="pending")
    assert followup.status == "completed"
    assert (following.reason, following.counts_from, following.due_on) == ("dose_change", d(12, 16), d(12, 30))

    # The physician lowers the plan on Dec 20 (1.0 → 0.5 mg): the pending Dec 16 step still comes first.
    make_plan(approved_patient, physician, template="custom", steps=[Step(D("0.5"), None)], start_date=d(12, 20))
    following.refresh_from_db()
    assert (following.status, following.due_on) == ("pending", d(12, 30))


@pytest.mark.django_db
def test_cancelling_a_booked_follow_up_visit_makes_it_due_again_with_book_now(
    client, approved_patient, physician, today_dec_1
):
    give_hours(physician)
    make_plan(approved_patient, physician, template="standard", start_date=d(12, 1))
    visit = appointment_book(
        patient=approved_patient, physician=physician, starts_at=local(2026, 12, 11, 10), location_state=state("TX")
    )
    appointment_cancel(appointment=visit, by=approved_patient.user)
    followup = FollowUp.objects.get(patient=approved_patient)
    assert followup.status == "pending" and not Appointment.objects.filter(followup=followup, status="booked")
    sign_in(client, approved_patient.user)
    assert "Book now" in client.get("/patient/").content.decode()
