"""Booking, changing and joining video visits: every rule and refusal of patients.visits.services, and
the patient's pages (access matrix)."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from patients.models import Appointment, FollowUp, Intake, ReviewStatus, VisitJoinAttempt, VisitType
from patients.tests.booking_helpers import UTC, licensed_physician, local, slot_value
from patients.tests.factories import complete_intake, plan_started
from patients.visits.services import (
    appointment_book,
    appointment_can_change,
    appointment_cancel,
    appointment_join,
    appointment_note_save,
    appointment_record_outcome,
    appointment_reschedule,
    booking_refusal,
    location_state_for,
    time_off_add,
)
from portal.models import ServiceState
from portal.tests.factories import state
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in

TUESDAY_10 = local(2026, 3, 3, 10)  # 16:00 UTC


def book(patient, physician, starts_at, code="TX"):
    return appointment_book(patient=patient, physician=physician, starts_at=starts_at, location_state=state(code))


# --- Booking rules -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_visit_is_a_45_minute_initial_consultation_stored_in_utc(ready):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    assert visit.starts_at == dt.datetime(2026, 3, 3, 16, tzinfo=UTC)
    assert visit.ends_at - visit.starts_at == dt.timedelta(minutes=45)
    assert visit.visit_type.kind == VisitType.Kind.INITIAL
    assert (visit.status, visit.location_state.code) == ("booked", "TX")


@pytest.mark.django_db
def test_each_visit_gets_its_own_unguessable_room(ready, other_patient):
    physician, patient = ready
    complete_intake(other_patient)
    first = book(patient, physician, TUESDAY_10)
    second = book(other_patient, physician, TUESDAY_10 + dt.timedelta(hours=1))
    assert first.video_room != second.video_room
    assert len(first.video_room) >= 32


@pytest.mark.django_db
def test_the_same_time_cannot_be_booked_twice(ready, other_patient):
    physician, patient = ready
    complete_intake(other_patient)
    book(patient, physician, TUESDAY_10)
    with pytest.raises(ValidationError) as exc:
        book(other_patient, physician, TUESDAY_10 + dt.timedelta(minutes=20))
    assert "just taken" in exc.value.messages[0]
    assert Appointment.objects.count() == 1


def _raw_visit(patient, physician, starts_at, minutes=20, status="booked"):
    return Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="follow_up"),
        location_state=state("TX"), starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes),
        status=status,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overlapping_visit(ready, other_patient):
    physician, patient = ready
    _raw_visit(patient, physician, TUESDAY_10)
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        _raw_visit(other_patient, physician, TUESDAY_10 + dt.timedelta(minutes=10))
    # Back to back is fine, and cancelled visits block nothing.
    _raw_visit(other_patient, physician, TUESDAY_10 + dt.timedelta(minutes=20))
    cancelled = _raw_visit(other_patient, physician, TUESDAY_10 - dt.timedelta(minutes=10), status="cancelled")
    # Reviving a cancelled visit into a taken time is refused too (the UPDATE path).
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        Appointment.objects.filter(pk=cancelled.pk).update(status="booked")
    # Another physician at the same time is fine.
    _raw_visit(other_patient, licensed_physician("TX"), TUESDAY_10)


@pytest.mark.django_db
def test_the_overlap_rule_is_installed_in_the_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT contype FROM pg_constraint WHERE conname = 'appointment_no_overlap'")
            assert cursor.fetchone() == ("x",)  # an exclusion constraint
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'patients_appointment'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert names == {"appointment_no_overlap_insert", "appointment_no_overlap_update"}


@pytest.mark.django_db
def test_the_admin_form_check_sees_the_overlap_on_both_databases(ready, other_patient):
    physician, patient = ready
    _raw_visit(patient, physician, TUESDAY_10)
    clash = Appointment(
        patient=other_patient, physician=physician, visit_type=VisitType.objects.get(kind="follow_up"),
        location_state=state("TX"), starts_at=TUESDAY_10, ends_at=TUESDAY_10 + dt.timedelta(minutes=20),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="already has a visit"):
        clash.validate_constraints()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["NV", "XX", ""])
def test_a_state_not_served_is_refused_clearly(code):
    with pytest.raises(ValidationError) as exc:
        location_state_for(code)
    assert "not licensed in" in exc.value.messages[0]
    assert "Texas" in exc.value.messages[0]


@pytest.mark.django_db
def test_a_deactivated_service_state_is_refused(ready):
    ServiceState.objects.filter(code="GA").update(active=False)
    with pytest.raises(ValidationError, match="not licensed in Georgia"):
        location_state_for("GA")


@pytest.mark.django_db
def test_a_physician_not_licensed_where_the_patient_will_be_is_refused(ready):
    physician, patient = ready
    with pytest.raises(ValidationError, match="not licensed in Florida"):
        book(patient, physician, TUESDAY_10, code="FL")


@pytest.mark.django_db
def test_a_license_that_expires_before_the_visit_date_is_refused(ready):
    physician, patient = ready
    physician.licenses.update(expires_on=dt.date(2026, 3, 2))
    with pytest.raises(ValidationError, match="not licensed in Texas on that date"):
        book(patient, physician, TUESDAY_10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (local(2026, 3, 3, 8), "outside the physician's visit hours"),
        (local(2026, 3, 3, 16, 30), "outside the physician's visit hours"),  # would end after 17:00
        (local(2026, 3, 2, 10), "too soon"),
        (local(2026, 6, 2, 10), "up to 60 days ahead"),
        (local(2026, 3, 3, 10, 0) + dt.timedelta(seconds=30), "times offered"),
    ],
)
def test_times_outside_the_rules_are_refused(ready, starts_at, message):
    physician, patient = ready
    with pytest.raises(ValidationError, match=message):
        book(patient, physician, starts_at)
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_time_off_blocks_booking(ready):
    physician, patient = ready
    time_off_add(physician=physician, starts_at=local(2026, 3, 3, 0), ends_at=local(2026, 3, 4, 0))
    with pytest.raises(ValidationError, match="just taken"):
        book(patient, physician, TUESDAY_10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("review_status", "message"),
    [(ReviewStatus.NOT_SUBMITTED, "submit your intake"), (ReviewStatus.DECLINED, "could not approve")],
)
def test_patients_without_a_submitted_or_approved_intake_cannot_book(ready, review_status, message):
    physician, patient = ready
    Intake.objects.filter(patient=patient).update(review_status=review_status)
    with pytest.raises(ValidationError, match=message):
        book(patient, physician, TUESDAY_10)


@pytest.mark.django_db
def test_approved_and_pending_patients_can_book(ready):
    physician, patient = ready
    assert booking_refusal(patient) is None  # pending review
    Intake.objects.filter(patient=patient).update(review_status=ReviewStatus.APPROVED)
    assert book(patient, physician, TUESDAY_10)


@pytest.mark.django_db
def test_one_upcoming_visit_at_a_time(ready):
    physician, patient = ready
    book(patient, physician, TUESDAY_10)
    with pytest.raises(ValidationError, match="already have a visit booked for Tuesday, March 3, 2026 at 10:00 AM CST"):
        book(patient, physician, TUESDAY_10 + dt.timedelta(days=1))


# --- Follow-ups ---------------------------------------------------------------------------------


@pytest.fixture
def due_followup(ready):
    _, patient = ready
    return plan_started(patient, dt.date(2026, 2, 20))


@pytest.mark.django_db
def test_booking_a_follow_up_visit_marks_the_due_follow_up_booked(ready, due_followup):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    assert visit.visit_type.kind == VisitType.Kind.FOLLOW_UP
    assert visit.ends_at - visit.starts_at == dt.timedelta(minutes=20)
    assert visit.followup == due_followup
    due_followup.refresh_from_db()
    assert due_followup.status == FollowUp.Status.BOOKED


@pytest.mark.django_db
def test_cancelling_the_visit_makes_the_follow_up_due_again(ready, due_followup):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    appointment_cancel(appointment=visit, by=patient.user)
    due_followup.refresh_from_db()
    assert due_followup.status == FollowUp.Status.PENDING


@pytest.mark.django_db
def test_rescheduling_keeps_the_follow_up_booked(ready, due_followup):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    moved = appointment_reschedule(
        appointment=visit, by=patient.user, physician=physician, starts_at=TUESDAY_10 + dt.timedelta(days=1),
        location_state=state("TX"),
    )  # fmt: skip
    due_followup.refresh_from_db()
    assert (moved.followup, due_followup.status) == (due_followup, FollowUp.Status.BOOKED)


@pytest.mark.django_db
def test_completing_the_visit_closes_the_follow_up_and_schedules_the_next_from_the_visit_date(
    ready, due_followup, clock
):
    physician, patient = ready
    evening = local(2026, 3, 3, 16, 30) - dt.timedelta(minutes=20)  # 16:10 Chicago = 22:10 UTC, same local day
    visit = book(patient, physician, evening)
    clock.move_to(evening + dt.timedelta(minutes=25))
    appointment_record_outcome(appointment=visit, physician=physician, outcome="completed", note="Doing well.")
    due_followup.refresh_from_db()
    assert due_followup.status == FollowUp.Status.COMPLETED
    following = FollowUp.objects.get(patient=patient, status="pending")
    assert following.due_on == dt.date(2026, 3, 3) + dt.timedelta(days=90)


@pytest.mark.django_db
def test_a_no_show_leaves_the_follow_up_due(ready, due_followup, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=30))
    appointment_record_outcome(appointment=visit, physician=physician, outcome="no_show")
    due_followup.refresh_from_db()
    assert due_followup.status == FollowUp.Status.PENDING


# --- Cancel and reschedule ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visit_can_be_cancelled_until_24_hours_before(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=24, minutes=1))
    assert appointment_can_change(visit)
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=23, minutes=59))
    with pytest.raises(ValidationError, match="up to 24 hours before"):
        appointment_cancel(appointment=visit, by=patient.user)
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
def test_the_change_cutoff_is_a_setting(ready, settings):
    physician, patient = ready
    settings.APPOINTMENT_CHANGE_CUTOFF_HOURS = 48
    visit = book(patient, physician, TUESDAY_10 + dt.timedelta(days=1))  # 49 hours away
    assert appointment_can_change(visit)
    visit.starts_at -= dt.timedelta(hours=2)
    assert not appointment_can_change(visit)


@pytest.mark.django_db
def test_rescheduling_moves_the_visit_even_into_an_overlapping_time(ready):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    moved = appointment_reschedule(
        appointment=visit, by=patient.user, physician=physician, starts_at=TUESDAY_10 + dt.timedelta(minutes=15),
        location_state=state("TX"),
    )  # fmt: skip
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by) == ("cancelled", patient.user)
    assert (moved.status, moved.rescheduled_from, moved.visit_type) == ("booked", visit, visit.visit_type)


@pytest.mark.django_db
def test_a_refused_new_time_leaves_the_old_visit_booked(ready):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    with pytest.raises(ValidationError, match="outside"):
        appointment_reschedule(
            appointment=visit, by=patient.user, physician=physician, starts_at=local(2026, 3, 4, 22),
            location_state=state("TX"),
        )  # fmt: skip
    visit.refresh_from_db()
    assert visit.status == "booked"
    assert Appointment.objects.count() == 1


# --- Joining ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_room_opens_15_minutes_before(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=16))
    with pytest.raises(ValidationError, match="opens 15 minutes before"):
        appointment_join(appointment=visit, user=patient.user, state_code="TX")
    assert not VisitJoinAttempt.objects.exists()
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=14))
    result = appointment_join(appointment=visit, user=patient.user, state_code="TX")
    assert result.allowed


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "where"), [("NV", "Nevada"), ("FL", "Florida")])
def test_joining_from_a_state_where_the_physician_is_not_licensed_is_refused_and_recorded(ready, clock, code, where):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(TUESDAY_10)
    result = appointment_join(appointment=visit, user=patient.user, state_code=code, ip_address="192.0.2.5")
    assert not result.allowed
    assert f"not licensed in {where}" in result.message
    attempt = VisitJoinAttempt.objects.get()
    assert (attempt.stated_state_code, attempt.allowed, attempt.ip_address) == (code, False, "192.0.2.5")


@pytest.mark.django_db
def test_joining_from_another_licensed_state_records_where_the_visit_took_place(ready, clock):
    physician, patient = ready
    licensed_physician("GA")  # someone else's license does not count
    from portal.tests.factories import PhysicianLicenseFactory

    PhysicianLicenseFactory(physician=physician, state=state("GA"))
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(TUESDAY_10)
    assert appointment_join(appointment=visit, user=patient.user, state_code="GA").allowed
    visit.refresh_from_db()
    assert visit.location_state.code == "GA"


@pytest.mark.django_db
def test_only_the_patient_joins(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    with pytest.raises(PermissionDenied):
        appointment_join(appointment=visit, user=physician, state_code="TX")


# --- Outcomes and notes -------------------------------------------------------------------------


@pytest.mark.django_db
def test_outcomes_are_recorded_by_the_visits_physician_once_it_started(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    with pytest.raises(ValidationError, match="once the visit has started"):
        appointment_record_outcome(appointment=visit, physician=physician, outcome="completed")
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        appointment_record_outcome(appointment=visit, physician=licensed_physician("TX"), outcome="completed")
    with pytest.raises(ValidationError):
        appointment_record_outcome(appointment=visit, physician=physician, outcome="maybe")
    with pytest.raises(ValidationError, match="under 2000"):
        appointment_record_outcome(appointment=visit, physician=physician, outcome="completed", note="x" * 2001)
    appointment_record_outcome(appointment=visit, physician=physician, outcome="completed", note=" Good. ")
    visit.refresh_from_db()
    assert (visit.status, visit.note) == ("completed", "Good.")
    with pytest.raises(ValidationError, match="already recorded"):
        appointment_record_outcome(appointment=visit, physician=physician, outcome="no_show")
    appointment_note_save(appointment=visit, physician=physician, note="Good. Plan unchanged.")
    visit.refresh_from_db()
    assert visit.note == "Good. Plan unchanged."
    assert visit.history.count() >= 3  # the note's changes are kept


# --- Confirmation email and calendar file ---------------------------------------------------------

HEALTH_WORDS = ("naltrexone", "LDN", "fibromyalgia", "pain", "dose", "Initial consultation", "Diaz", "Rosa")


@pytest.mark.django_db
def test_booking_page_confirms_on_screen_and_by_email_with_a_calendar_file(
    client, ready, django_capture_on_commit_callbacks, settings
):
    physician, patient = ready
    sign_in(client, patient.user)
    response = client.post(
        "/patient/appointments/book/", {"state": "TX", "slot": slot_value(physician, TUESDAY_10)}, follow=True
    )
    deliver_due()  # the confirmation is due at once, whatever the hour
    assert response.redirect_chain[-1][0] == "/patient/appointments/"
    assert "booked for Tuesday, March 3, 2026 at 10:00 AM CST" in response.content.decode()
    visit = Appointment.objects.get()
    (email,) = mail.outbox
    assert email.to == [patient.user.email]
    assert email.subject == "Your video visit is booked"
    (name, content, mimetype) = email.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == visit.starts_at
    assert event.decoded("dtend") == visit.ends_at
    join_url = f"{settings.SITE_URL}/patient/appointments/{visit.pk}/join/"
    assert str(event["url"]) == join_url and join_url in str(event["description"])
    ics_text = content if isinstance(content, str) else content.decode()
    everything = email.subject + email.body + email.alternatives[0][0] + ics_text
    assert "Tuesday, March 3, 2026 at 10:00 AM CST" in email.body
    for word in HEALTH_WORDS:
        assert word not in everything
    # The raw room is reached only through the location check.
    assert visit.video_room not in everything


@pytest.mark.django_db
def test_the_calendar_file_can_be_downloaded_again(client, ready):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    sign_in(client, patient.user)
    response = client.get(f"/patient/appointments/{visit.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


# --- "Your visit is tomorrow" -------------------------------------------------------------------


def tomorrow_reminder(visit):
    from portal.models import Reminder

    return Reminder.objects.filter(kind="appointment-tomorrow", subject=f"patients.appointment:{visit.pk}").first()


@pytest.mark.django_db
def test_the_day_before_reminder_is_due_at_ten_the_day_before_in_the_patients_zone(ready):
    physician, patient = ready
    visit = book(patient, physician, local(2026, 3, 4, 16))  # Wednesday 16:00, booked on Monday
    assert tomorrow_reminder(visit).due_at == local(2026, 3, 3, 10)


@pytest.mark.django_db
def test_a_same_day_booking_gets_no_your_visit_is_tomorrow(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, local(2026, 3, 2, 15))  # Monday 15:00, booked Monday 09:00
    assert tomorrow_reminder(visit) is None


@pytest.mark.django_db
def test_a_booking_made_the_afternoon_before_is_reminded_at_once(ready, clock):
    physician, patient = ready
    clock.move_to(local(2026, 3, 2, 14))
    visit = book(patient, physician, TUESDAY_10)
    assert tomorrow_reminder(visit).due_at == local(2026, 3, 2, 14)
    deliver_due()
    assert tomorrow_reminder(visit).status == "sent"


@pytest.mark.django_db
def test_a_reminder_held_past_midnight_is_skipped_not_sent_on_the_day(ready, clock):
    physician, patient = ready
    visit = book(patient, physician, TUESDAY_10)
    clock.move_to(local(2026, 3, 3, 8, 5))  # the worker was down all Monday
    deliver_due()
    reminder = tomorrow_reminder(visit)
    assert (reminder.status, reminder.status_reason) == ("skipped", "visit is not tomorrow")
