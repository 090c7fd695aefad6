"""The physician's page of one visit: outcome, note, cancelling with a note, and who may open it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from patients.models import Appointment
from patients.tests.booking_helpers import licensed_physician
from patients.tests.visit_pages.helpers import TUESDAY_10
from portal.models import AccessLog
from portal.tests.signin import sign_in


@pytest.mark.django_db
def test_physician_opens_a_visit_records_the_outcome_and_a_note_and_it_is_audited(client, visit, physician, clock):
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=40))
    sign_in(client, physician)
    page = client.get(f"/clinic/appointments/{visit.pk}/", REMOTE_ADDR="198.51.100.4")
    assert page.status_code == 200 and "Open the video room" in page.content.decode()
    log = AccessLog.objects.get()
    assert (log.actor, log.patient, log.action) == (physician, visit.patient.user, "appointment.view")
    response = client.post(f"/clinic/appointments/{visit.pk}/outcome/", {"outcome": "completed", "note": "Stable."})
    assert response["Location"] == f"/clinic/appointments/{visit.pk}/"
    response = client.post(f"/clinic/appointments/{visit.pk}/note/", {"note": "Stable; keep the dose."})
    visit.refresh_from_db()
    assert (visit.status, visit.note) == ("completed", "Stable; keep the dose.")


@pytest.mark.django_db
def test_clinic_appointment_page_refuses_the_patient(client, visit, patient):
    sign_in(client, patient.user)
    assert client.get(f"/clinic/appointments/{visit.pk}/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/clinic/appointments/{pk}/"),
        ("post", "/clinic/appointments/{pk}/outcome/"),
        ("post", "/clinic/appointments/{pk}/note/"),
    ],
)
def test_another_physicians_visit_is_404(client, visit, method, path):
    colleague = licensed_physician("TX")  # same state, but not their visit
    sign_in(client, colleague)
    assert getattr(client, method)(path.format(pk=visit.pk), {"outcome": "completed"}).status_code == 404
    assert not AccessLog.objects.filter(outcome=AccessLog.Outcome.VIEWED).exists()  # refused rows only


@pytest.mark.django_db
def test_bad_outcomes_show_the_error_and_save_nothing(client, visit, physician, clock):
    sign_in(client, physician)
    response = client.post(f"/clinic/appointments/{visit.pk}/outcome/", {"outcome": "completed"})
    assert "once the visit has started" in response.content.decode()
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=10))
    sign_in(client, physician)  # a new session: the old one idled out while the clock moved
    response = client.post(f"/clinic/appointments/{visit.pk}/outcome/", {"outcome": "maybe"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
def test_physician_cancels_a_visit_with_a_note_the_patient_reads(client, visit, physician, patient, clock):
    from django.core import mail

    from patients.models import FollowUp
    from patients.tests.factories import plan_started
    from portal.models import Reminder
    from portal.reminders import reminder_send

    followup = plan_started(patient, dt.date(2026, 2, 24))
    Appointment.objects.filter(pk=visit.pk).update(followup=followup)
    FollowUp.objects.filter(pk=followup.pk).update(status=FollowUp.Status.BOOKED)
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=2))  # inside the patients' 24-hour cut-off
    sign_in(client, physician)
    assert "Cancel this visit" in client.get(f"/clinic/appointments/{visit.pk}/").content.decode()
    response = client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": "I am ill today; please book again."})
    assert response["Location"] == f"/clinic/appointments/{visit.pk}/"
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by, visit.cancellation_note) == (
        "cancelled",
        physician,
        "I am ill today; please book again.",
    )
    assert FollowUp.objects.get(pk=followup.pk).status == FollowUp.Status.PENDING
    notice = Reminder.objects.get(kind="portal-update", recipient=patient.user)
    Reminder.objects.filter(pk=notice.pk).update(status=Reminder.Status.QUEUED)
    assert reminder_send(notice.pk, now=TUESDAY_10 - dt.timedelta(hours=1)) == "sent"
    email = mail.outbox[-1]
    assert email.to == [patient.user.email]
    assert "ill" not in email.subject + email.body and "cancel" not in (email.subject + email.body).lower()
    page = client.get(f"/clinic/appointments/{visit.pk}/").content.decode()
    assert "Cancel this visit" not in page and "Note to the patient: I am ill today" in page
    sign_in(client, patient.user)
    visits = client.get("/patient/appointments/").content.decode()
    assert "Your physician's note: I am ill today; please book again." in visits


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("minutes_after_start", "note", "message"),
    [
        (-60, "", "Tell the patient why"),
        (-60, "x" * 501, "at most 500 characters"),
        (-60, "   ", "Tell the patient why"),
        (50, "Running late", "can no longer be cancelled"),
        (50, "", "can no longer be cancelled"),
    ],
)
def test_a_physician_cancel_without_a_note_or_after_the_visit_changes_nothing(
    client, visit, physician, clock, minutes_after_start, note, message
):
    from portal.models import Reminder

    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=minutes_after_start))
    sign_in(client, physician)
    response = client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": note}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_note) == ("booked", "")
    assert not Reminder.objects.filter(kind="portal-update").exists()


@pytest.mark.django_db
def test_a_physician_cancel_is_all_or_nothing(visit, physician, monkeypatch):
    """If anything after the status change fails (here the patient's notice), the visit stays booked."""
    from patients.visits import services as visit_services

    def notice_fails(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(visit_services, "portal_update_notify", notice_fails)
    with pytest.raises(RuntimeError):
        visit_services.appointment_cancel_by_care_team(appointment=visit, by=physician, note="I am ill.")
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_note) == ("booked", "")


@pytest.mark.django_db
def test_a_physician_cancel_is_judged_on_the_visit_as_it_is_now(visit, physician, patient):
    """The physician's page was loaded before the patient cancelled: the stale copy says "booked"."""
    from patients.visits import services as visit_services

    stale = Appointment.objects.get(pk=visit.pk)
    visit_services.appointment_cancel(appointment=visit, by=patient.user, enforce_cutoff=False)
    with pytest.raises(ValidationError) as refused:
        visit_services.appointment_cancel_by_care_team(appointment=stale, by=physician, note="I am ill.")
    assert visit_services.CANCEL_REFUSAL in refused.value.messages
    visit.refresh_from_db()
    assert (visit.cancelled_by, visit.cancellation_note) == (patient.user, "")
