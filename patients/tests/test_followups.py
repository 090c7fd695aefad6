"""Follow-up schedule rules and their reminders, with time travel."""

import datetime as dt

import pytest
import time_machine

from patients.models import FollowUp
from patients.tests.factories import plan_started
from portal.models import Reminder, ServiceState
from portal.reminders import reminder_send, reminders_dispatch
from portal.tasks import publish_sends
from portal.tests.signin import sign_in

UTC = dt.UTC
START = dt.date(2026, 2, 23)  # a Monday; reminders cross the March 8 DST change


def rows_for(followup):
    return {r.kind: r for r in Reminder.objects.filter(subject=f"patients.followup:{followup.pk}")}


@pytest.mark.django_db
def test_starting_a_plan_schedules_a_follow_up_and_three_reminders_at_nine_local(patient):
    followup = plan_started(patient, START)
    assert (followup.reason, followup.due_on, followup.status) == ("start", START + dt.timedelta(days=14), "pending")
    rows = rows_for(followup)
    assert set(rows) == {"followup-due-soon", "followup-due-today", "followup-overdue"}
    # due soon on March 2 at 09:00 CST (15:00 UTC); due today on March 9 at 09:00 CDT (14:00 UTC)
    assert rows["followup-due-soon"].due_at == dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert rows["followup-due-today"].due_at == dt.datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert rows["followup-overdue"].due_at == dt.datetime(2026, 3, 16, 14, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_missed_follow_up_sends_due_today_and_overdue_reminders(patient, django_capture_on_commit_callbacks):
    followup = plan_started(patient, START)
    for moment in (dt.datetime(2026, 3, 2, 15, 5, tzinfo=UTC), dt.datetime(2026, 3, 9, 14, 5, tzinfo=UTC),
                   dt.datetime(2026, 3, 16, 14, 5, tzinfo=UTC)):  # fmt: skip
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            assert reminders_dispatch(publish=publish_sends) == 1
    assert {r.kind: r.status for r in rows_for(followup).values()} == {
        "followup-due-soon": "sent",
        "followup-due-today": "sent",
        "followup-overdue": "sent",
    }


@pytest.mark.django_db
def test_booking_the_visit_silences_the_due_today_and_overdue_reminders(patient, django_capture_on_commit_callbacks):
    followup = plan_started(patient, START)
    FollowUp.objects.filter(pk=followup.pk).update(status="booked")
    with time_machine.travel(dt.datetime(2026, 3, 20, 15, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_dispatch(publish=publish_sends)
    assert {r.status for r in rows_for(followup).values()} == {"skipped"}


@pytest.mark.django_db
def test_no_reminders_for_a_patient_whose_state_is_no_longer_served(patient):
    followup = plan_started(patient, START)
    ServiceState.objects.filter(code="TX").update(active=False)
    reminder = rows_for(followup)["followup-due-soon"]
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 5, tzinfo=UTC), tick=False):
        assert reminder_send(reminder.pk) == "skipped"
    reminder.refresh_from_db()
    assert reminder.status_reason == "the patient's state is no longer served"


@pytest.mark.django_db
def test_no_email_reminders_after_opting_out(patient):
    patient.email_opt_out = True
    patient.save()
    followup = plan_started(patient, START)
    reminder = rows_for(followup)["followup-due-soon"]
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 5, tzinfo=UTC), tick=False):
        assert reminder_send(reminder.pk) == "skipped"


@pytest.mark.django_db
def test_dashboard_shows_the_next_follow_up_with_a_book_now_link(client, patient):
    plan_started(patient, dt.date.today())
    sign_in(client, patient.user)
    content = client.get("/patient/").content.decode()
    assert "Next follow-up visit" in content
    assert "Book now" in content and "/patient/appointments/book/" in content


@pytest.mark.django_db
def test_physician_patient_list_filters_overdue_follow_ups(client, physician):
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import state

    late = PatientFactory(state=state("TX"), legal_last_name="Late")
    soon = PatientFactory(state=state("TX"), legal_last_name="Soon")
    PatientFactory(state=state("TX"), legal_last_name="None")
    today = dt.date.today()
    plan_started(late, today - dt.timedelta(days=20))
    plan_started(soon, today - dt.timedelta(days=10))
    sign_in(client, physician)
    names = lambda q: [patient.legal_last_name for patient in client.get("/clinic/patients/" + q).context["page"]]  # noqa: E731
    assert names("?followup=overdue") == ["Late"]
    assert names("?followup=due_week") == ["Soon"]
