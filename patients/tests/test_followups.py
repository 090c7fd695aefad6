"""Follow-up schedule rules and their reminders, with time travel."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from patients.followups.services import followup_complete, followup_schedule_after_dose_change
from patients.models import FollowUp
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
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    assert (followup.reason, followup.due_on, followup.status) == ("start", START + dt.timedelta(days=14), "pending")
    rows = rows_for(followup)
    assert set(rows) == {"followup-due-soon", "followup-due-today", "followup-overdue"}
    # due soon on March 2 at 09:00 CST (15:00 UTC); due today on March 9 at 09:00 CDT (14:00 UTC)
    assert rows["followup-due-soon"].due_at == dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert rows["followup-due-today"].due_at == dt.datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert rows["followup-overdue"].due_at == dt.datetime(2026, 3, 16, 14, 0, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [6, 29])
def test_follow_up_interval_must_be_seven_to_twenty_eight_days(patient, days):
    with pytest.raises(ValidationError):
        followup_schedule_after_dose_change(patient=patient, changed_on=START, due_in_days=days)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_a_dose_change_replaces_the_pending_follow_up_and_its_reminders(patient):
    first = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    second = followup_schedule_after_dose_change(
        patient=patient, changed_on=START + dt.timedelta(days=5), due_in_days=21
    )
    first.refresh_from_db()
    assert first.status == "superseded"
    assert FollowUp.objects.filter(patient=patient, status="pending").get() == second
    assert second.due_on == START + dt.timedelta(days=26)
    assert all(r.status == "skipped" for r in rows_for(first).values())
    assert all(r.status == "pending" for r in rows_for(second).values())


@pytest.mark.django_db
def test_a_booked_follow_up_is_moved_not_duplicated(patient):
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    FollowUp.objects.filter(pk=followup.pk).update(status="booked")
    moved = followup_schedule_after_dose_change(patient=patient, changed_on=START + dt.timedelta(days=3))
    assert moved.pk == followup.pk and moved.due_on == START + dt.timedelta(days=17)
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_completing_a_follow_up_schedules_the_next_in_ninety_days(patient):
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    following = followup_complete(followup=followup, completed_on=START + dt.timedelta(days=14))
    assert (following.reason, following.due_on) == ("stable", START + dt.timedelta(days=104))
    assert all(r.status == "skipped" for r in rows_for(followup).values())
    with pytest.raises(ValidationError):
        followup_complete(followup=followup, completed_on=START)


@pytest.mark.django_db
def test_a_missed_follow_up_sends_due_today_and_overdue_reminders(patient, django_capture_on_commit_callbacks):
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
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
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    FollowUp.objects.filter(pk=followup.pk).update(status="booked")
    with time_machine.travel(dt.datetime(2026, 3, 20, 15, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_dispatch(publish=publish_sends)
    assert {r.status for r in rows_for(followup).values()} == {"skipped"}


@pytest.mark.django_db
def test_no_reminders_for_a_patient_whose_state_is_no_longer_served(patient):
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
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
    followup = followup_schedule_after_dose_change(patient=patient, changed_on=START, is_start=True)
    reminder = rows_for(followup)["followup-due-soon"]
    Reminder.objects.filter(pk=reminder.pk).update(status="queued")
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 5, tzinfo=UTC), tick=False):
        assert reminder_send(reminder.pk) == "skipped"


@pytest.mark.django_db
def test_dashboard_shows_the_next_follow_up_with_a_book_now_link(client, patient):
    followup_schedule_after_dose_change(patient=patient, changed_on=dt.date.today(), is_start=True)
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
    followup_schedule_after_dose_change(patient=late, changed_on=today - dt.timedelta(days=20), is_start=True)
    followup_schedule_after_dose_change(patient=soon, changed_on=today - dt.timedelta(days=10), is_start=True)
    sign_in(client, physician)
    names = lambda q: [patient.legal_last_name for patient in client.get("/clinic/patients/" + q).context["page"]]  # noqa: E731
    assert names("?followup=overdue") == ["Late"]
    assert names("?followup=due_week") == ["Soon"]
