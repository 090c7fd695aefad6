"""The care coordinator: non-prescribing staff who see patients of every served state, answer and
triage messages, chase recalls and book, move or cancel visits for patients, and never review an
intake, change a plan or sign an order (docs/domain.md "Care team")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from patients.followups.selectors import recall_list_for
from patients.followups.services import recall_contact_record
from patients.messaging.services import message_send, thread_assign, thread_start
from patients.models import Appointment, FollowUp, Message, RecallContact, ReviewStatus
from patients.tests.booking_helpers import local, slot_value
from patients.tests.factories import PatientFactory, complete_intake, plan_started
from patients.visits.services import appointment_book, appointment_reschedule
from portal.models import Reminder, ServiceState, User
from portal.tests.factories import CoordinatorFactory, PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
from prescriptions.tests.factories import approve_intake, make_draft, make_plan

TUESDAY_10 = local(2026, 3, 3, 10)
TUESDAY_9 = local(2026, 3, 3, 9)  # the first of the 45-minute slots the booking page offers


def reminders_to(user, kind):
    return Reminder.objects.filter(recipient=user, kind=kind)


# --- Who a coordinator is ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_must_use_a_second_factor_and_lands_on_the_clinic(client, coordinator):
    assert coordinator.must_use_mfa
    sign_in(client, coordinator)
    assert client.get("/dashboard/")["Location"] == "/clinic/"
    page = client.get("/clinic/")
    assert page.status_code == 200
    assert b"Messages to triage" in page.content and b"Recalls" in page.content


@pytest.mark.django_db
def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(client):
    coordinator = CoordinatorFactory(totp=False)
    client.force_login(coordinator)
    response = client.get("/clinic/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


@pytest.mark.django_db
def test_a_coordinator_sees_patients_of_every_served_state_and_none_elsewhere(client, coordinator, physician):
    texan, iowan = PatientFactory(state=state("TX")), PatientFactory(state=state("IA"))
    closed = ServiceState.objects.create(code="ZZ", name="Closed", timezone="America/Chicago", active=False)
    stranded = PatientFactory(state=closed)
    sign_in(client, coordinator)
    listing = client.get("/clinic/patients/").content.decode()
    assert texan.full_name in listing and iowan.full_name in listing and stranded.full_name not in listing
    assert client.get(f"/clinic/patients/{iowan.pk}/").status_code == 200
    assert client.get(f"/clinic/patients/{stranded.pk}/").status_code == 404
    # The Texas physician's scope did not grow with it.
    sign_in(client, physician)
    assert client.get(f"/clinic/patients/{iowan.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_chart_shows_a_coordinator_no_prescribing_or_review_actions(client, coordinator, physician, patient):
    complete_intake(patient)
    sign_in(client, coordinator)
    page = client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    assert "Review this intake" not in page
    assert "/plan/new/" not in page and "/orders/new/" not in page
    assert f"/clinic/patients/{patient.pk}/book/" in page
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{patient.pk}/").content.decode()
    # A pending intake: the physician reviews it first; plan actions come with the approval.
    assert "Review this intake" in page and "/plan/new/" not in page


@pytest.mark.django_db
def test_a_coordinator_cannot_review_change_a_plan_or_sign(client, coordinator, physician, patient):
    approve_intake(patient, physician)
    order = make_draft(make_plan(patient, physician), physician)
    sign_in(client, coordinator)
    refused = {
        "get": ["/clinic/reviews/", "/clinic/orders/", f"/clinic/patients/{patient.pk}/plan/new/",
                f"/clinic/patients/{patient.pk}/orders/new/", f"/clinic/orders/{order.pk}/", "/clinic/schedule/"],
        "post": [f"/clinic/patients/{patient.pk}/review/", f"/clinic/orders/{order.pk}/sign/",
                 f"/clinic/patients/{patient.pk}/plan/pause/", f"/clinic/orders/{order.pk}/send/"],
    }  # fmt: skip
    for verb, paths in refused.items():
        for path in paths:
            assert getattr(client, verb)(path).status_code == 403, path
    order.refresh_from_db()
    assert order.status == "draft"


# --- Messages ------------------------------------------------------------------------------------


@pytest.fixture
def thread(patient):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return thread_start(patient=patient, author=patient.user, subject="Refill timing", body="When?")


@pytest.mark.django_db
def test_a_new_conversation_goes_to_the_coordinators_for_triage(physician, coordinator, patient):
    with TestCase.captureOnCommitCallbacks(execute=True):
        thread_start(patient=patient, author=patient.user, subject="Billing", body="A question")
    assert reminders_to(coordinator, "secure-message").count() == 1
    assert not reminders_to(physician, "secure-message").exists()


@pytest.mark.django_db
def test_without_coordinators_a_new_conversation_still_reaches_the_licensed_physicians(physician, patient):
    thread_start(patient=patient, author=patient.user, subject="Billing", body="A question")
    assert reminders_to(physician, "secure-message").count() == 1


@pytest.mark.django_db
def test_a_coordinator_answers_a_message_from_the_clinic_inbox(client, coordinator, patient, thread):
    sign_in(client, coordinator)
    assert thread.subject.encode() in client.get("/clinic/messages/").content
    response = client.post(f"/clinic/messages/{thread.pk}/", {"body": "Your refill ships Friday."})
    assert response.status_code == 302
    reply = Message.objects.filter(thread=thread).latest("created_at")
    assert (reply.sender, reply.from_patient, reply.body) == (coordinator, False, "Your refill ships Friday.")
    assert reminders_to(patient.user, "secure-message").exists()


@pytest.mark.django_db
def test_an_assigned_conversation_notifies_only_its_assignee(clock, physician, coordinator, patient, thread):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    with TestCase.captureOnCommitCallbacks(execute=True):
        thread_assign(thread=thread, by=coordinator, assignee=physician)
    thread.refresh_from_db()
    assert thread.assigned_to == physician
    assert reminders_to(physician, "secure-message").count() == 1  # "a conversation waits for you"
    clock.shift(dt.timedelta(minutes=20))  # past the quarter-hour limit on emails per thread
    Reminder.objects.all().delete()
    message_send(thread=thread, sender=patient.user, body="Any news?")
    assert list(Reminder.objects.filter(kind="secure-message").values_list("recipient", flat=True)) == [physician.pk]
    assert not reminders_to(colleague, "secure-message").exists()


@pytest.mark.django_db
def test_an_urgent_message_alerts_every_licensed_physician_whoever_it_is_assigned_to(
    clock, physician, coordinator, patient, thread
):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    thread_assign(thread=thread, by=physician, assignee=coordinator)
    Reminder.objects.all().delete()
    message_send(thread=thread, sender=patient.user, body="I have chest pain", urgent=True)
    alerted = set(Reminder.objects.filter(kind="care-item-urgent").values_list("recipient", flat=True))
    assert alerted == {physician.pk, colleague.pk}


@pytest.mark.django_db
def test_a_conversation_is_handed_only_to_its_patients_care_team(coordinator, patient, thread, outsider_physician):
    with pytest.raises(ValidationError, match="licensed in the patient's state"):
        thread_assign(thread=thread, by=coordinator, assignee=outsider_physician)
    with pytest.raises(PermissionDenied):
        thread_assign(thread=thread, by=patient.user, assignee=coordinator)
    with pytest.raises(PermissionDenied):
        thread_assign(thread=thread, by=outsider_physician, assignee=coordinator)
    thread.refresh_from_db()
    assert thread.assigned_to is None


@pytest.mark.django_db
def test_assigning_from_the_thread_page_and_the_triage_filters(client, coordinator, physician, thread):
    sign_in(client, coordinator)
    page = client.get(f"/clinic/messages/{thread.pk}/").content.decode()
    assert "Who answers this conversation" in page and physician.display_name in page
    assert thread.subject in client.get("/clinic/messages/?show=unassigned").content.decode()
    response = client.post(f"/clinic/messages/{thread.pk}/assign/", {"assignee": physician.pk}, follow=True)
    assert f"Assigned to {physician.display_name}." in response.content.decode()
    assert thread.subject not in client.get("/clinic/messages/?show=unassigned").content.decode()
    sign_in(client, physician)
    assert thread.subject in client.get("/clinic/messages/?show=mine").content.decode()
    response = client.post(f"/clinic/messages/{thread.pk}/assign/", {"assignee": "not-a-person"}, follow=True)
    assert "Choose someone from the list" in response.content.decode()


# --- Recalls -------------------------------------------------------------------------------------


@pytest.fixture
def overdue(patient):
    today = dt.date.today()
    return plan_started(patient, today - dt.timedelta(days=40), due_in_days=14)


@pytest.mark.django_db
def test_the_recall_list_shows_overdue_follow_ups_and_records_calls(client, coordinator, patient, overdue):
    assert overdue.status == FollowUp.Status.PENDING and overdue.due_on < dt.date.today()
    sign_in(client, coordinator)
    page = client.get("/clinic/recalls/").content.decode()
    assert patient.full_name in page and "Overdue" in page
    response = client.post(f"/clinic/recalls/{overdue.pk}/contact/", {"outcome": "no_answer", "note": "Try at 3 pm"})
    assert response.status_code == 302
    contact = RecallContact.objects.get()
    assert (contact.followup, contact.by, contact.outcome, contact.note) == (
        overdue,
        coordinator,
        "no_answer",
        "Try at 3 pm",
    )
    assert "Called, no answer" in client.get("/clinic/recalls/").content.decode()
    # A blank choice is refused with words, and nothing is written.
    response = client.post(f"/clinic/recalls/{overdue.pk}/contact/", {"outcome": ""}, follow=True)
    assert "Choose what happened" in response.content.decode()
    assert RecallContact.objects.count() == 1


@pytest.mark.django_db
def test_only_follow_ups_due_within_a_week_and_not_booked_are_on_the_list(coordinator, physician, overdue):
    assert list(recall_list_for(coordinator)) == [overdue]
    assert list(recall_list_for(physician)) == [overdue]
    FollowUp.objects.filter(pk=overdue.pk).update(due_on=dt.date.today() + dt.timedelta(days=8))
    assert not recall_list_for(coordinator).exists()
    FollowUp.objects.filter(pk=overdue.pk).update(due_on=dt.date.today(), status=FollowUp.Status.BOOKED)
    assert not recall_list_for(coordinator).exists()
    assert not recall_list_for(PhysicianLicenseFactory(state=state("IA")).physician).exists()


@pytest.mark.django_db
def test_a_follow_up_no_longer_due_cannot_be_chased(coordinator, overdue):
    FollowUp.objects.filter(pk=overdue.pk).update(status=FollowUp.Status.BOOKED)
    with pytest.raises(ValidationError, match="no longer waiting"):
        recall_contact_record(followup=overdue, by=coordinator, outcome="no_answer")
    assert not RecallContact.objects.exists()


# --- Booking for a patient -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinator_books_a_visit_for_a_patient(client, ready, coordinator):
    physician, patient = ready
    sign_in(client, coordinator)
    page = client.get(f"/clinic/patients/{patient.pk}/book/?state=TX&from=2026-03-03")
    assert page.status_code == 200 and f"for {patient.full_name}".encode() in page.content
    assert slot_value(physician, TUESDAY_9).encode() in page.content
    response = client.post(
        f"/clinic/patients/{patient.pk}/book/", {"state": "TX", "slot": slot_value(physician, TUESDAY_9)}
    )
    assert response.status_code == 302 and response["Location"] == f"/clinic/patients/{patient.pk}/"
    visit = Appointment.objects.get(patient=patient)
    assert (visit.physician, visit.booked_by, visit.status) == (physician, coordinator, "booked")
    assert reminders_to(patient.user, "visit-booked").exists()  # the patient is told, as if they booked


@pytest.mark.django_db
def test_booking_for_a_patient_keeps_the_patients_rules(ready, coordinator, outsider_physician):
    physician, patient = ready
    Appointment.objects.all().delete()
    with pytest.raises(ValidationError, match="not licensed in Texas"):
        appointment_book(patient=patient, physician=outsider_physician, starts_at=TUESDAY_10,
                         location_state=state("TX"), booked_by=coordinator)  # fmt: skip
    first = appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"),
                             booked_by=coordinator)  # fmt: skip
    with pytest.raises(ValidationError, match="The patient already has a visit"):
        appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10 + dt.timedelta(days=1),
                         location_state=state("TX"), booked_by=coordinator)  # fmt: skip
    assert first.booked_by == coordinator
    pharmacist = User.objects.create_user(email="rx@example.com", role=User.Role.PHARMACY)
    with pytest.raises(PermissionDenied):
        appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10 + dt.timedelta(days=2),
                         location_state=state("TX"), booked_by=pharmacist)  # fmt: skip


@pytest.mark.django_db
def test_the_care_team_moves_a_visit_inside_the_patients_cut_off(clock, ready, coordinator):
    physician, patient = ready
    soon = appointment_book(patient=patient, physician=physician, starts_at=local(2026, 3, 2, 15),
                            location_state=state("TX"))  # fmt: skip
    with pytest.raises(ValidationError, match="hours before they start"):
        appointment_reschedule(appointment=soon, by=patient.user, physician=physician, starts_at=TUESDAY_10,
                               location_state=state("TX"))  # fmt: skip
    moved = appointment_reschedule(appointment=soon, by=coordinator, physician=physician, starts_at=TUESDAY_10,
                                   location_state=state("TX"))  # fmt: skip
    soon.refresh_from_db()
    assert (soon.status, soon.cancelled_by, moved.booked_by, moved.rescheduled_from) == (
        "cancelled",
        coordinator,
        coordinator,
        soon,
    )


@pytest.mark.django_db
def test_a_coordinator_cancels_a_visit_with_a_note_to_the_patient(client, ready, coordinator):
    physician, patient = ready
    visit = appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"))
    sign_in(client, coordinator)
    page = client.get(f"/clinic/appointments/{visit.pk}/reschedule/").content.decode()
    assert "Or cancel this visit" in page
    response = client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": ""}, follow=True)
    assert "Tell the patient why" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"
    response = client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": "Dr. is ill; please rebook."})
    assert response["Location"] == f"/clinic/patients/{patient.pk}/"
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by, visit.cancellation_note) == (
        "cancelled",
        coordinator,
        "Dr. is ill; please rebook.",
    )
    assert reminders_to(patient.user, "portal-update").exists()


@pytest.mark.django_db
def test_a_physician_still_cancels_only_their_own_visits(client, ready):
    physician, patient = ready
    visit = appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"))
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    sign_in(client, colleague)
    assert client.post(f"/clinic/appointments/{visit.pk}/cancel/", {"note": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
def test_the_intake_review_stays_with_physicians(coordinator, patient):
    from patients.intake.services import intake_review

    complete_intake(patient)
    with pytest.raises(PermissionDenied):
        intake_review(patient=patient, physician=coordinator, decision="approve", note="")
    patient.intake.refresh_from_db()
    assert patient.intake.review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_the_coordinators_work_list_sends_safety_items_to_the_chart_not_to_their_resolution(
    client, coordinator, patient
):
    from patients.safety.services import care_item_raise

    item = care_item_raise(patient=patient, priority="urgent", reasons=["Red flag: Chest pain"])
    sign_in(client, coordinator)
    page = client.get("/clinic/").content.decode()
    assert f"/clinic/patients/{patient.pk}/" in page and f"/clinic/items/{item.pk}/" not in page
    assert "Chest pain" not in page
    assert client.get(f"/clinic/items/{item.pk}/").status_code == 403
