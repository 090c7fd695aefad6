"""Visit notes: a draft by the visit's physician, signed and locked, addenda as new rows, the dose
decision's plan version, the patient's summary and the email that says it is ready."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patients.intake.services import intake_review
from patients.models import VisitNote, VisitNoteAddendum
from patients.tests.factories import PatientFactory, VisitNoteFactory
from patients.tests.visit_pages.helpers import TUESDAY_10
from patients.visitnotes.reminders import VISIT_SUMMARY_KIND
from patients.visitnotes.services import (
    LOCKED_MESSAGE,
    addendum_content_hash,
    visit_note_addendum_add,
    visit_note_content_hash,
    visit_note_content_intact,
    visit_note_save_draft,
    visit_note_sign,
)
from patients.visits.services import appointment_book, appointment_record_outcome
from portal.models import AccessLog, PhysicianLicense, Reminder
from portal.reminders import render_email
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
from prescriptions.tests.factories import make_plan

SECTIONS = {
    "subjective": "Vivid dreams on 3.0 mg at bedtime; PEG down from 7 to 4.",
    "assessment": "Responder; sleep disturbance from bedtime dosing.",
    "plan": "Move the dose to the morning, keep 3.0 mg, then 4.5 mg.",
    "summary_decided": "We will move your dose to the morning.",
    "summary_next_steps": "Take it with breakfast from tomorrow.",
    "summary_next_visit": "In two weeks, by video.",
}


@pytest.fixture
def completed(visit, physician, clock):
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=40))
    return appointment_record_outcome(appointment=visit, physician=physician, outcome="completed")


def signed_note(appointment, physician):
    visit_note_save_draft(appointment=appointment, physician=physician, **SECTIONS)
    return visit_note_sign(appointment=appointment, physician=physician)


# --- services -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_is_refused_before_the_visit_starts(visit, physician):
    with pytest.raises(ValidationError, match="once the visit has started"):
        visit_note_save_draft(appointment=visit, physician=physician, **SECTIONS)
    assert not VisitNote.objects.exists()


@pytest.mark.django_db
def test_draft_is_saved_edited_then_signed_with_a_hash_and_locked(completed, physician):
    note = visit_note_save_draft(appointment=completed, physician=physician, subjective="First words.")
    note = visit_note_save_draft(appointment=completed, physician=physician, **SECTIONS)
    assert (VisitNote.objects.count(), note.subjective, note.signed_at) == (1, SECTIONS["subjective"], None)
    assert note.history.count() == 2  # each draft is kept by the history

    note = visit_note_sign(appointment=completed, physician=physician)
    assert note.signed_at is not None and note.signed_by == physician
    assert note.content_hash == visit_note_content_hash(note) and len(note.content_hash) == 64
    assert visit_note_content_intact(note)

    with pytest.raises(ValidationError) as refused:
        visit_note_save_draft(appointment=completed, physician=physician, plan="Changed afterwards.")
    assert refused.value.messages == [LOCKED_MESSAGE]
    with pytest.raises(ValidationError, match="already signed"):
        visit_note_sign(appointment=completed, physician=physician)
    note.refresh_from_db()
    assert note.plan == SECTIONS["plan"] and visit_note_content_intact(note)
    # A change made around the services no longer matches the signature.
    VisitNote.objects.filter(pk=note.pk).update(plan="Tampered.")
    note.refresh_from_db()
    assert not visit_note_content_intact(note)


@pytest.mark.django_db
def test_signing_needs_a_completed_visit_and_the_assessment_plan_and_summary(visit, physician, clock):
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=5))
    visit_note_save_draft(appointment=visit, physician=physician, subjective="Talking now.")
    with pytest.raises(ValidationError, match="completed before signing"):
        visit_note_sign(appointment=visit, physician=physician)
    appointment_record_outcome(appointment=visit, physician=physician, outcome="completed")
    with pytest.raises(ValidationError) as refused:
        visit_note_sign(appointment=visit, physician=physician)
    assert set(refused.value.message_dict) == {"assessment", "plan", "summary_decided"}
    assert VisitNote.objects.get().signed_at is None


@pytest.mark.django_db
def test_only_the_visits_physician_writes_and_signs(completed, physician):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    with pytest.raises(PermissionDenied):
        visit_note_save_draft(appointment=completed, physician=colleague, **SECTIONS)
    visit_note_save_draft(appointment=completed, physician=physician, **SECTIONS)
    with pytest.raises(PermissionDenied):
        visit_note_sign(appointment=completed, physician=colleague)


@pytest.mark.django_db
def test_a_no_show_has_no_visit_note(visit, physician, clock):
    clock.move_to(TUESDAY_10 + dt.timedelta(minutes=20))
    appointment_record_outcome(appointment=visit, physician=physician, outcome="no_show")
    with pytest.raises(ValidationError, match="no-show"):
        visit_note_save_draft(appointment=visit, physician=physician, **SECTIONS)


@pytest.mark.django_db
def test_addendum_is_a_new_signed_row_and_the_note_is_unchanged(completed, physician):
    draft = VisitNoteFactory(appointment=completed)
    with pytest.raises(ValidationError, match="still a draft"):
        visit_note_addendum_add(note=draft, author=physician, text="Too early.")
    note = visit_note_sign(appointment=completed, physician=physician)
    signed_hash = note.content_hash
    with pytest.raises(ValidationError):
        visit_note_addendum_add(note=note, author=physician, text="   ")

    addendum = visit_note_addendum_add(note=note, author=physician, text="Labs came back normal.")
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    second = visit_note_addendum_add(note=note, author=colleague, text="Covering: patient called, doing well.")
    assert list(note.addenda.order_by("pk")) == [addendum, second]
    assert addendum.signed_at is not None and addendum.content_hash == addendum_content_hash(addendum)
    note.refresh_from_db()
    assert note.content_hash == signed_hash and visit_note_content_intact(note)
    outsider = PhysicianLicenseFactory(state=state("IA")).physician
    with pytest.raises(PermissionDenied):
        visit_note_addendum_add(note=note, author=outsider, text="Not my patient.")
    assert VisitNoteAddendum.objects.count() == 2


# --- the email ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_schedules_a_summary_email_with_no_health_details(completed, physician, patient):
    visit_note_save_draft(appointment=completed, physician=physician, **SECTIONS)
    assert not Reminder.objects.filter(kind=VISIT_SUMMARY_KIND).exists()  # a draft tells nobody
    note = visit_note_sign(appointment=completed, physician=physician)
    reminder = Reminder.objects.get(kind=VISIT_SUMMARY_KIND)
    assert reminder.recipient == patient.user and reminder.subject == f"patients.visitnote:{note.pk}"
    message = render_email(reminder)
    assert message.subject == "Your visit summary is ready in your portal"
    rendered = " ".join([message.subject, message.body, message.alternatives[0][0]])
    assert "/patient/appointments/" in message.body
    for text in SECTIONS.values():
        assert text not in rendered
    for word in ("mg", "morning", "dose", "dreams", "PEG", patient.legal_last_name):
        assert word not in rendered


# --- the physician's page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_physician_drafts_and_signs_on_the_page_and_views_are_audited(client, completed, physician):
    sign_in(client, physician)
    assert "Write the note" in client.get(f"/clinic/appointments/{completed.pk}/").content.decode()
    page = client.get(f"/clinic/appointments/{completed.pk}/visit-note/")
    assert page.status_code == 200 and "Sign the note" in page.content.decode()
    assert f'href="/clinic/patients/{completed.patient.pk}/">Open the chart' in page.content.decode()
    log = AccessLog.objects.filter(action="visit_note.view").get()
    assert (log.actor, log.patient) == (physician, completed.patient.user)

    response = client.post(f"/clinic/appointments/{completed.pk}/visit-note/", {**SECTIONS, "action": "save"})
    assert response.status_code == 302
    assert VisitNote.objects.get().signed_at is None
    response = client.post(f"/clinic/appointments/{completed.pk}/visit-note/", {**SECTIONS, "action": "sign"})
    assert response["Location"] == f"/clinic/appointments/{completed.pk}/visit-note/"
    note = VisitNote.objects.get()
    assert note.signed_by == physician
    page = client.get(response["Location"]).content.decode()
    assert "Signed note" in page and "Sign the note" not in page and "Sign and add" in page

    response = client.post(f"/clinic/appointments/{completed.pk}/visit-note/", {**SECTIONS, "plan": "Edited."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.plan == SECTIONS["plan"]
    assert LOCKED_MESSAGE in client.get(response["Location"]).content.decode()

    response = client.post(f"/clinic/appointments/{completed.pk}/visit-note/addenda/", {"text": "Added later."})
    assert response.status_code == 302 and note.addenda.get().text == "Added later."


@pytest.mark.django_db
def test_bad_input_shows_the_error_and_signs_nothing(client, completed, physician):
    sign_in(client, physician)
    response = client.post(
        f"/clinic/appointments/{completed.pk}/visit-note/", {"subjective": "Only this.", "action": "sign"}
    )
    assert response.status_code == 200
    assert "Write the assessment before signing." in response.content.decode()
    assert VisitNote.objects.get().signed_at is None
    response = client.post(f"/clinic/appointments/{completed.pk}/visit-note/", {"plan": "x" * 5001})
    assert response.status_code == 200 and VisitNote.objects.get().plan == ""


@pytest.mark.django_db
def test_a_colleague_reads_a_signed_note_and_adds_an_addendum_but_never_a_draft(client, completed, physician):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    outsider = PhysicianLicenseFactory(state=state("IA")).physician
    path = f"/clinic/appointments/{completed.pk}/visit-note/"
    visit_note_save_draft(appointment=completed, physician=physician, **SECTIONS)
    sign_in(client, colleague)
    assert client.get(path).status_code == 404
    assert client.post(f"{path}addenda/", {"text": "x"}).status_code == 404
    visit_note_sign(appointment=completed, physician=physician)
    page = client.get(path)
    assert page.status_code == 200 and SECTIONS["assessment"] in page.content.decode()
    assert client.post(path, {**SECTIONS, "action": "save"}).status_code == 404  # writing stays the author's
    assert client.post(f"{path}addenda/", {"text": "Covering physician."}).status_code == 302
    assert VisitNoteAddendum.objects.get().author == colleague
    sign_in(client, outsider)
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_an_author_whose_license_lapsed_keeps_the_note_but_not_the_chart_link(client, completed, physician):
    PhysicianLicense.objects.filter(physician=physician).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    sign_in(client, physician)
    page = client.get(f"/clinic/appointments/{completed.pk}/visit-note/")
    assert page.status_code == 200 and "Sign the note" in page.content.decode()
    assert "Open the chart" not in page.content.decode()


@pytest.mark.django_db
def test_the_patient_cannot_open_the_note_page(client, completed, patient):
    sign_in(client, patient.user)
    assert client.get(f"/clinic/appointments/{completed.pk}/visit-note/").status_code == 403


# --- the patient's visits page --------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_reads_only_the_signed_summary_of_their_own_visit(client, completed, physician, patient):
    sign_in(client, patient.user)
    visit_note_save_draft(appointment=completed, physician=physician, **SECTIONS)
    page = client.get("/patient/appointments/").content.decode()
    assert SECTIONS["summary_decided"] not in page and "visit summary" not in page  # a draft is not shown
    visit_note_sign(appointment=completed, physician=physician)
    page = client.get("/patient/appointments/").content.decode()
    for name in ("summary_decided", "summary_next_steps", "summary_next_visit"):
        assert SECTIONS[name] in page
    for name in ("subjective", "assessment", "plan"):
        assert SECTIONS[name] not in page

    other = PatientFactory(state=state("TX"))
    sign_in(client, other.user)
    assert SECTIONS["summary_decided"] not in client.get("/patient/appointments/").content.decode()


@pytest.mark.django_db
def test_summary_text_is_shown_escaped(client, completed, physician, patient):
    payload = '<script>alert("x")</script>'
    visit_note_save_draft(appointment=completed, physician=physician, **{**SECTIONS, "summary_decided": payload})
    visit_note_sign(appointment=completed, physician=physician)
    sign_in(client, patient.user)
    page = client.get("/patient/appointments/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    sign_in(client, physician)
    page = client.get(f"/clinic/appointments/{completed.pk}/visit-note/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# --- the dose decision ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_version_records_the_visit_and_the_note_page_links_it(client, completed, physician, patient):
    intake_review(patient=patient, physician=physician, decision="approve")
    plan = make_plan(patient, physician, visit=completed)
    assert plan.visit == completed and list(completed.plan_versions.all()) == [plan]
    sign_in(client, physician)
    page = client.get(f"/clinic/appointments/{completed.pk}/visit-note/").content.decode()
    assert "Dose decision:" in page and "plan version 1" in page
    assert f"/clinic/patients/{patient.pk}/#plan-heading" in page
    form = client.get(f"/clinic/patients/{patient.pk}/plan/new/?visit={completed.pk}")
    assert form.status_code == 200 and "records the dose decision of the visit" in form.content.decode()


@pytest.mark.django_db
def test_a_plan_cannot_record_another_patients_or_an_unfinished_visit(completed, visit, physician, patient, clock):
    intake_review(patient=patient, physician=physician, decision="approve")
    other = PatientFactory(state=state("TX"))
    with pytest.raises(ValidationError, match="another patient's"):
        make_plan(other, physician, visit=completed)
    later = appointment_book(
        patient=patient,
        physician=physician,
        starts_at=TUESDAY_10 + dt.timedelta(days=7),
        location_state=state("TX"),
    )
    with pytest.raises(ValidationError, match="completed"):
        make_plan(patient, physician, visit=later)


@pytest.mark.django_db
def test_plan_page_refuses_a_visit_outside_the_physicians_scope(client, completed, patient, physician):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    sign_in(client, colleague)
    assert client.get(f"/clinic/patients/{patient.pk}/plan/new/?visit={completed.pk}").status_code == 404
    assert client.get(f"/clinic/patients/{patient.pk}/plan/new/?visit=x1").status_code == 200
    other = PatientFactory(state=state("TX"))
    sign_in(client, physician)  # their own visit, but with another patient
    assert client.get(f"/clinic/patients/{other.pk}/plan/new/?visit={completed.pk}").status_code == 404
