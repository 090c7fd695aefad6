"""The visit pages of patients and physicians: the access matrix (works / 403
wrong role / 404 out of scope / 405 wrong method / bad input shows the error and saves nothing),
the schedule, weekly hours, the admin and query budgets."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.messaging.services import thread_start
from patients.models import Appointment, PhysicianProfile, TimeOff, VisitJoinAttempt, VisitType, WeeklyAvailability
from patients.tests.booking_helpers import MONDAY, give_hours, licensed_physician, local, ready_patient
from patients.tests.factories import complete_intake
from patients.visits.services import appointment_book
from portal.models import AccessLog
from portal.tests.factories import state
from portal.tests.signin import sign_in

TUESDAY_10 = local(2026, 3, 3, 10)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def visit(clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    patient.refresh_from_db()
    return appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"))


def slot_value(physician, starts_at):
    return f"{physician.pk}-{int(starts_at.timestamp())}"


PATIENT_PAGES = ["/patient/appointments/", "/patient/appointments/book/"]
CLINIC_PAGES = ["/clinic/schedule/", "/clinic/availability/"]


# --- Works ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_sees_upcoming_and_past_visits_in_their_zone(client, visit, patient, physician):
    past = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=visit.visit_type, location_state=state("TX"),
        starts_at=local(2026, 2, 2, 10), ends_at=local(2026, 2, 2, 10, 45), status="completed",
    )  # fmt: skip
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/")
    assert list(response.context["upcoming"]) == [visit]
    assert list(response.context["past"]) == [past]
    content = response.content.decode()
    assert "Tuesday, March 3, 2026 at 10:00 AM CST" in content
    assert "Reschedule" in content and "Cancel visit" in content


@pytest.mark.django_db
def test_booking_page_asks_where_the_patient_will_be_then_offers_times(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    first = client.get("/patient/appointments/book/")
    assert "Where will you be during the visit?" in first.content.decode()
    assert "days" not in first.context
    response = client.get("/patient/appointments/book/?state=TX")
    assert response.context["state"].code == "TX"
    assert sum(len(slots) for _, slots in response.context["days"]) > 0


@pytest.mark.django_db
def test_booking_page_refuses_a_state_not_served(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=NV")
    assert "Our physicians are not licensed in Nevada" in response.content.decode()
    assert "days" not in response.context


@pytest.mark.django_db
def test_choosing_a_time_shows_a_confirmation_before_booking(client, clock, physician, patient):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.get(f"/patient/appointments/book/?state=TX&slot={slot_value(physician, TUESDAY_10)}")
    assert "Book this visit" in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_patient_who_cannot_book_yet_is_told_why(client, clock, patient):
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=TX")
    assert "submit your intake" in response.content.decode()


@pytest.mark.django_db
def test_a_patient_with_a_visit_is_sent_to_reschedule_it(client, visit, patient):
    sign_in(client, patient.user)
    response = client.get("/patient/appointments/book/?state=TX")
    assert "You already have a visit booked" in response.content.decode()


@pytest.mark.django_db
def test_patient_cancels_and_reschedules_from_the_pages(client, visit, patient, physician):
    sign_in(client, patient.user)
    new_time = TUESDAY_10 + dt.timedelta(days=1)
    page = client.get(f"/patient/appointments/{visit.pk}/reschedule/?state=TX")
    assert page.status_code == 200 and page.context["replacing"] == visit
    response = client.post(
        f"/patient/appointments/{visit.pk}/reschedule/", {"state": "TX", "slot": slot_value(physician, new_time)}
    )
    assert response["Location"] == "/patient/appointments/"
    moved = Appointment.objects.get(status="booked")
    assert moved.starts_at == new_time and moved.rescheduled_from == visit
    response = client.post(f"/patient/appointments/{moved.pk}/cancel/", follow=True)
    assert "Your visit is cancelled." in response.content.decode()
    assert not Appointment.objects.filter(status="booked").exists()


@pytest.mark.django_db
def test_changes_inside_the_cutoff_are_refused_with_a_message(client, visit, patient, clock):
    clock.move_to(TUESDAY_10 - dt.timedelta(hours=2))
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/cancel/", follow=True)
    assert "up to 24 hours before" in response.content.decode()
    response = client.get(f"/patient/appointments/{visit.pk}/reschedule/", follow=True)
    assert "up to 24 hours before" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "booked"


@pytest.mark.django_db
def test_joining_confirms_the_state_then_redirects_to_the_room(client, visit, patient, clock, settings):
    settings.VIDEO_ROOM_URL_TEMPLATE = "https://meet.example.org/{room}"
    clock.move_to(TUESDAY_10 - dt.timedelta(minutes=5))
    sign_in(client, patient.user)
    page = client.get(f"/patient/appointments/{visit.pk}/join/")
    assert "Which state are you in right now?" in page.content.decode()
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "TX", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"https://meet.example.org/{visit.video_room}"


@pytest.mark.django_db
def test_joining_from_a_state_without_a_license_explains_and_records(client, visit, patient, clock):
    clock.move_to(TUESDAY_10)
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "NV", "confirm": "on"})
    assert response.status_code == 200
    assert "not licensed in Nevada" in response.content.decode()
    assert visit.video_room not in response.content.decode()
    assert VisitJoinAttempt.objects.get().allowed is False


@pytest.mark.django_db
def test_physician_sees_the_week_and_the_day_in_their_own_zone(client, visit, physician):
    PhysicianProfile.objects.filter(physician=physician).update(timezone="America/New_York")
    sign_in(client, physician)
    week = client.get("/clinic/schedule/")
    assert week.context["view"] == "week" and week.context["first"] == dt.date(2026, 3, 2)
    content = week.content.decode()
    assert "11:00 AM–11:45 AM EST" in content  # 10:00 in Chicago
    assert visit.patient.full_name in content
    day = client.get("/clinic/schedule/?view=day&date=2026-03-03")
    assert [a for _, items in day.context["days"] for a in items] == [visit]
    assert client.get("/clinic/schedule/?view=day&date=2026-03-04").context["days"][0][1] == []


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


# --- 403 for the wrong role, login for anonymous ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "pharmacy", "admin"])
@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_patient_visit_pages_refuse_other_roles(client, role_users, role, path):
    sign_in(client, role_users[role])
    assert client.get(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "pharmacy", "admin"])
@pytest.mark.parametrize("path", CLINIC_PAGES)
def test_clinic_visit_pages_refuse_other_roles(client, role_users, role, path):
    sign_in(client, role_users[role])
    assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_clinic_appointment_page_refuses_the_patient(client, visit, patient):
    sign_in(client, patient.user)
    assert client.get(f"/clinic/appointments/{visit.pk}/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("path", [*PATIENT_PAGES, *CLINIC_PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")


# --- 404 out of scope ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/patient/appointments/{pk}/cancel/"),
        ("get", "/patient/appointments/{pk}/reschedule/"),
        ("get", "/patient/appointments/{pk}/join/"),
        ("post", "/patient/appointments/{pk}/join/"),
        ("get", "/patient/appointments/{pk}/calendar.ics"),
    ],
)
def test_another_patients_visit_is_404(client, visit, other_patient, method, path):
    sign_in(client, other_patient.user)
    assert getattr(client, method)(path.format(pk=visit.pk), {"state": "TX", "confirm": "on"}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == "booked" and not VisitJoinAttempt.objects.exists()


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


# --- 405 wrong method -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_methods_are_refused(client, visit, patient, physician):
    sign_in(client, patient.user)
    assert client.get(f"/patient/appointments/{visit.pk}/cancel/").status_code == 405
    assert client.put("/patient/appointments/book/").status_code == 405
    assert client.post("/patient/appointments/").status_code == 405
    assert client.post(f"/patient/appointments/{visit.pk}/calendar.ics").status_code == 405
    sign_in(client, physician)
    assert client.post("/clinic/schedule/").status_code == 405
    assert client.get(f"/clinic/appointments/{visit.pk}/outcome/").status_code == 405
    assert client.get(f"/clinic/appointments/{visit.pk}/note/").status_code == 405
    assert client.post(f"/clinic/appointments/{visit.pk}/").status_code == 405
    assert client.delete("/clinic/availability/").status_code == 405


# --- Bad input shows the error and saves nothing ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"state": "TX", "slot": "not-a-slot"}, "Choose one of the times offered."),
        ({"state": "TX"}, "Choose one of the times offered."),
        ({"state": "NV", "slot": "1-1772553600"}, "not licensed in Nevada"),
        ({"slot": "1-1772553600"}, "Choose the state you will be in"),
        ({"state": "TX", "slot": "999999-1772553600"}, "Choose one of the times offered."),
    ],
)
def test_bad_booking_input_shows_the_error_and_saves_nothing(client, clock, physician, patient, data, message):
    give_hours(physician)
    complete_intake(patient)
    sign_in(client, patient.user)
    response = client.post("/patient/appointments/book/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_time_just_taken_is_explained_not_an_error(client, visit, other_patient, physician):
    complete_intake(other_patient)
    sign_in(client, other_patient.user)
    response = client.post("/patient/appointments/book/", {"state": "TX", "slot": slot_value(physician, TUESDAY_10)})
    assert response.status_code == 200
    assert "that time was just taken" in response.content.decode()
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_joining_without_confirming_shows_the_error_and_records_nothing(client, visit, patient, clock):
    clock.move_to(TUESDAY_10)
    sign_in(client, patient.user)
    response = client.post(f"/patient/appointments/{visit.pk}/join/", {"state": "TX"})
    assert response.status_code == 200 and "Please confirm where you are." in response.content.decode()
    assert not VisitJoinAttempt.objects.exists()


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


# --- Admin ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_visits_with_filters_read_only_and_can_cancel(client, admin_user, visit, physician):
    sign_in(client, admin_user)
    for query in (
        f"?physician__id__exact={physician.pk}",
        f"?location_state__id__exact={state('TX').pk}",
        "?status__exact=booked",
        "?starts_at__year=2026&starts_at__month=3",
        "?q=Diaz",
    ):
        response = client.get("/admin/patients/appointment/" + query)
        assert response.status_code == 200 and list(response.context["cl"].result_list) == [visit], query
    assert client.get(f"/admin/patients/appointment/{visit.pk}/change/").status_code == 200
    assert AccessLog.objects.filter(patient__isnull=False).get().action == "admin.patients.appointment.view"
    assert client.get("/admin/patients/appointment/add/").status_code == 403
    client.post(
        "/admin/patients/appointment/",
        {"action": "cancel_visits", "_selected_action": [visit.pk]},
    )
    visit.refresh_from_db()
    assert (visit.status, visit.cancelled_by) == ("cancelled", admin_user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/patients/visittype/",
        "/admin/patients/weeklyavailability/",
        "/admin/patients/timeoff/",
        "/admin/patients/physicianprofile/",
    ],
)
def test_admin_lists_hours_and_visit_types(client, admin_user, visit, path):
    sign_in(client, admin_user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_changes_the_length_of_a_visit_type(client, admin_user):
    follow_up = VisitType.objects.get(kind="follow_up")
    sign_in(client, admin_user)
    response = client.post(
        f"/admin/patients/visittype/{follow_up.pk}/change/", {"name": "Follow-up", "duration_minutes": "25"}
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.name, follow_up.duration_minutes) == ("Follow-up", 25)


# --- Query budget ---------------------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_schedule_and_visit_list_query_counts_do_not_grow_with_the_data(client, clock, physician):
    give_hours(physician)
    patients = [ready_patient() for _ in range(12)]
    follow_up = VisitType.objects.get(kind="follow_up")

    def add_visits(group, offset):
        for i, patient in enumerate(group, start=offset):
            Appointment.objects.create(
                patient=patient, physician=physician, visit_type=follow_up, location_state=state("TX"),
                starts_at=local(2026, 3, 2 + i % 5, 9 + i // 5),
                ends_at=local(2026, 3, 2 + i % 5, 9 + i // 5, 20),
                status="cancelled" if i % 4 == 3 else "booked",
            )  # fmt: skip

    add_visits(patients[:2], 0)
    sign_in(client, physician)
    small = _queries(client, "/clinic/schedule/")
    sign_in(client, patients[0].user)
    small_list = _queries(client, "/patient/appointments/")
    add_visits(patients[2:], 2)
    Appointment.objects.create(
        patient=patients[0], physician=physician, visit_type=follow_up, location_state=state("TX"),
        starts_at=local(2026, 2, 2, 9), ends_at=local(2026, 2, 2, 9, 20), status="completed",
    )  # fmt: skip
    sign_in(client, physician)
    large = _queries(client, "/clinic/schedule/")
    sign_in(client, patients[0].user)
    large_list = _queries(client, "/patient/appointments/")
    assert (small, small_list) == (large, large_list)
    assert large <= 8 and large_list <= 10


@pytest.mark.django_db
def test_physician_cancels_a_visit_with_a_note_the_patient_reads(client, visit, physician, patient, clock):
    from django.core import mail

    from patients.models import FollowUp
    from portal.models import Reminder
    from portal.reminders import reminder_send

    followup = FollowUp.objects.create(patient=patient, reason="dose change", due_on=dt.date(2026, 3, 10))
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
def test_clinic_home_shows_the_physicians_next_visits_and_unread_conversations(client, visit, physician, patient):

    other = licensed_physician("TX")
    thread_start(patient=patient, author=patient.user, subject="Dose question", body="Is 3 mg next?")
    sign_in(client, physician)
    response = client.get("/clinic/")
    assert response.context["next_visits"] == [visit] and response.context["unread_threads"] == 1
    html = response.content.decode()
    assert "Tue Mar 3, 10:00 AM" in html and visit.patient.full_name in html
    sign_in(client, other)
    assert client.get("/clinic/").context["next_visits"] == []


@pytest.mark.django_db
def test_a_physician_cancel_is_all_or_nothing(visit, physician, monkeypatch):
    """If anything after the status change fails (here the patient's notice), the visit stays booked."""
    from patients.visits import services as visit_services

    def notice_fails(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(visit_services, "portal_update_notify", notice_fails)
    with pytest.raises(RuntimeError):
        visit_services.appointment_cancel_by_physician(appointment=visit, physician=physician, note="I am ill.")
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_note) == ("booked", "")


@pytest.mark.django_db
def test_a_physician_cancel_is_judged_on_the_visit_as_it_is_now(visit, physician, patient):
    """The physician's page was loaded before the patient cancelled: the stale copy says "booked"."""
    from patients.visits import services as visit_services

    stale = Appointment.objects.get(pk=visit.pk)
    visit_services.appointment_cancel(appointment=visit, by=patient.user, enforce_cutoff=False)
    with pytest.raises(ValidationError) as refused:
        visit_services.appointment_cancel_by_physician(appointment=stale, physician=physician, note="I am ill.")
    assert visit_services.CANCEL_REFUSAL in refused.value.messages
    visit.refresh_from_db()
    assert (visit.cancelled_by, visit.cancellation_note) == (patient.user, "")
