"""The access audit, checked against the URL map and the admin: every page that shows a patient's
health data to someone other than that patient writes an access row, every list of patients writes
one row naming the list, and a request for a record outside the person's scope is kept as refused.

A page added to the project, or a model registered in the admin, without a line here fails
``test_every_page_is_classified`` / ``test_every_admin_model_is_classified``."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib import admin
from django.test import Client

from patients.models import HealthAnswerChange, VisitNote
from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import CompoundingRecord, OrderVerification, PharmacyPreference, TitrationPlan
from tests.security.urlmap import project_routes

# url name → (who opens it, the object in its path or None for a list page)
AUDITED_PAGES: dict[str, tuple[str, str | None]] = {
    "patients:clinic_home": ("physician", None),
    "patients:review_queue": ("physician", None),
    "patients:patient_list": ("physician", None),
    "patients:schedule": ("physician", None),
    "patients:clinic_message_list": ("physician", None),
    "patients:recall_list": ("physician", None),
    "patients:clinic_book_for": ("physician", "patient"),
    "patients:clinic_reschedule_for": ("physician", "appointment"),
    "prescriptions:clinic_orders": ("physician", None),
    "prescriptions:pharmacy_home": ("pharmacy", None),
    "patients:chart": ("physician", "patient"),
    "patients:clinic_appointment": ("physician", "appointment"),
    "patients:visit_note": ("physician", "appointment"),
    "patients:clinic_thread": ("physician", "thread"),
    "patients:clinic_attachment": ("physician", "attachment"),
    "prescriptions:plan_new": ("physician", "patient"),
    "prescriptions:care_item": ("physician", "care_item"),
    "prescriptions:order_new": ("physician", "patient"),
    "prescriptions:clinic_order": ("physician", "order"),
    "prescriptions:pharmacy_order": ("pharmacy", "order"),
    "prescriptions:fhir_medication_request": ("physician", "order"),
    "prescriptions:clinic_order_pdf": ("physician", "order"),
    "prescriptions:pharmacy_order_pdf": ("pharmacy", "order"),
    "prescriptions:pharmacy_order_fhir": ("pharmacy", "order"),
}
# Shown only to the patient the data is about: their own view of their record is not an access by
# someone else (docs/architecture.md "Access audit").
OWN_RECORD = {
    "patients:intake", "patients:intake_step", "patients:intake_summary", "patients:intake_result",
    "prescriptions:intake_pharmacy", "patients:home", "patients:checkin_new", "patients:checkin_safety", "patients:appointment_list",
    "patients:appointment_book", "patients:appointment_reschedule", "patients:appointment_cancel",
    "patients:appointment_join",
    "patients:appointment_room",
    "patients:appointment_calendar", "patients:message_list", "patients:thread", "patients:attachment",
    "prescriptions:patient_orders", "prescriptions:patient_order", "prescriptions:patient_schedule",
    "patients:billing", "patients:payment_detail", "patients:receipt_pdf", "patients:estimate_detail",
    "patients:estimate_pdf", "patients:superbill_pdf",
    "patients:profile", "patients:profile_move", "prescriptions:profile_pharmacy",
    "patients:notification_settings",
}  # fmt: skip
# Pages with no patient's health data on them.
NO_HEALTH_DATA = {
    "landing", "dashboard", "healthz", "education:index", "education:article", "patients:waitlist",
    "patients:availability", "patients:prices", "payments:stripe_webhook",
    # POST only, signed by Telnyx: a reply from a phone (STOP, START, HELP), nothing shown.
    "patients:sms_inbound",
    # Practice staff only: the design system's components with sample words, no one's records.
    "styleguide",
    # POST only: renews the signed-in session and answers its seconds left, nothing else.
    "session_refresh",
}  # fmt: skip
# Actions (POST only): they change a record and redirect; the change itself is kept in its history.
ACTIONS = {
    "patients:intake_review", "patients:availability_delete",
    "patients:time_off_delete", "patients:appointment_outcome", "patients:appointment_note", "patients:visit_note_addendum",
    "patients:clinic_appointment_cancel", "patients:clinic_thread_assign", "patients:recall_contact",
    "prescriptions:plan_pause", "prescriptions:patient_medication_arrived",
    "prescriptions:order_sign", "prescriptions:order_send", "prescriptions:fax_retry",
    "prescriptions:order_cancel", "prescriptions:order_answer", "prescriptions:refill_approve",
    "prescriptions:refill_decline", "prescriptions:pharmacy_order_action", "prescriptions:patient_refill_request",
    "prescriptions:pharmacy_order_verify", "prescriptions:pharmacy_order_compounding",
    # GET answers with a redirect to the order once it is signed (the world's order is)
    "prescriptions:order_edit",
    "patients:visit_pay", "patients:estimate_request", "patients:superbill_request",
    "patients:health_changes_reviewed",
}  # fmt: skip


def pages() -> dict[str, str]:
    return project_routes()


# Pages with health data that open only while a visit's room is open (tested below at that time).
AUDITED_WHILE_OPEN = {"patients:clinic_appointment_room"}


def test_every_page_is_classified():
    classified = set(AUDITED_PAGES) | OWN_RECORD | NO_HEALTH_DATA | ACTIONS | AUDITED_WHILE_OPEN
    assert set(pages()) - classified == set(), "classify these pages in tests/security/test_access_audit.py"
    assert classified - set(pages()) == set(), "these pages no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(AUDITED_PAGES))
def test_each_page_with_health_data_writes_an_access_row(world, name):
    role, obj = AUDITED_PAGES[name]
    path = "/" + re.sub(r"<int:\w+>", str(world["objects"].get(obj, 0)), pages()[name])
    user = world["insiders"][role]
    client = Client()
    sign_in(client, user)
    AccessLog.objects.all().delete()
    assert client.get(path).status_code == 200
    rows = list(AccessLog.objects.filter(actor=user))
    assert len(rows) == 1, [r.action for r in rows]
    row = rows[0]
    assert row.outcome == AccessLog.Outcome.VIEWED
    assert row.path == path and row.ip_address == "127.0.0.1"
    if obj is None:
        assert row.patient is None  # one row naming the list, not one per patient
    else:
        assert row.patient == world["patient"].user


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, (_role, obj) in AUDITED_PAGES.items() if obj))
def test_a_request_for_a_record_outside_scope_is_recorded_as_refused(world, name):
    role, obj = AUDITED_PAGES[name]
    path = "/" + re.sub(r"<int:\w+>", str(world["objects"][obj]), pages()[name])
    outsider = world["outsiders"][role]
    client = Client()
    sign_in(client, outsider)
    assert client.get(path).status_code == 404
    row = AccessLog.objects.get(actor=outsider)
    assert row.outcome == AccessLog.Outcome.REFUSED and row.patient is None and row.path == path


@pytest.mark.django_db
def test_the_physician_opening_a_video_room_is_recorded_and_an_outsider_refused(world):
    from patients.models import Appointment

    appointment = Appointment.objects.get(pk=world["objects"]["appointment"])
    path = f"/clinic/appointments/{appointment.pk}/room/"
    physician, outsider = Client(), Client()
    with time_machine.travel(appointment.starts_at, tick=False):
        sign_in(physician, world["insiders"]["physician"])
        sign_in(outsider, world["outsiders"]["physician"])
        AccessLog.objects.all().delete()
        assert physician.get(path).status_code == 200
        row = AccessLog.objects.get(actor=world["insiders"]["physician"])
        assert (row.outcome, row.patient_id, row.path) == (AccessLog.Outcome.VIEWED, appointment.patient.user_id, path)
        assert outsider.get(path).status_code == 404
        row = AccessLog.objects.get(actor=world["outsiders"]["physician"])
        assert row.outcome == AccessLog.Outcome.REFUSED and row.patient is None


@pytest.mark.django_db
def test_a_patient_probing_another_patients_records_is_recorded_as_refused(world):
    client = Client()
    intruder = world["outsiders"]["patient"]
    sign_in(client, intruder)
    assert client.get(f"/patient/orders/{world['objects']['order']}/").status_code == 404
    assert AccessLog.objects.filter(actor=intruder, outcome=AccessLog.Outcome.REFUSED).count() == 1


@pytest.mark.django_db
def test_a_patient_viewing_their_own_record_writes_no_row(world):
    client = Client()
    sign_in(client, world["patient"].user)
    client.get(f"/patient/orders/{world['objects']['order']}/")
    client.get("/patient/")
    assert not AccessLog.objects.exists()


# --- the admin -----------------------------------------------------------------------------------

# model label → how to find the world's record of it
ADMIN_HEALTH_MODELS = {
    "patients.patient": lambda w: w["patient"].pk,
    "patients.intake": lambda w: w["patient"].intake.pk,
    "patients.consent": lambda w: w["patient"].consents.first().pk,
    "patients.checkin": lambda w: w["patient"].checkins.first().pk,
    "patients.appointment": lambda w: w["objects"]["appointment"],
    "patients.visitnote": lambda w: (
        VisitNote.objects.get_or_create(
            appointment_id=w["objects"]["appointment"], defaults={"author": w["insiders"]["physician"]}
        )[0].pk
    ),
    "patients.thread": lambda w: w["objects"]["thread"],
    "patients.message": lambda w: w["patient"].threads.first().messages.first().pk,
    "prescriptions.titrationplan": lambda w: TitrationPlan.objects.filter(patient=w["patient"]).first().pk,
    "prescriptions.prescriptionorder": lambda w: w["objects"]["order"],
    "prescriptions.refillrequest": lambda w: w["objects"]["refill"],
    "prescriptions.orderverification": lambda w: (
        OrderVerification.objects.filter(order=w["objects"]["order"]).values_list("pk", flat=True).first()
    ),
    "prescriptions.compoundingrecord": lambda w: (
        CompoundingRecord.objects.filter(order=w["objects"]["order"]).values_list("pk", flat=True).first()
    ),
    "patients.followup": lambda w: w["patient"].followups.first().pk,
    "prescriptions.pharmacypreference": lambda w: PharmacyPreference.objects.get_or_create(patient=w["patient"])[0].pk,
    "patients.goodfaithestimate": lambda w: w["objects"]["estimate"],
    "patients.payment": lambda w: w["objects"]["payment"],
    "patients.superbill": lambda w: w["objects"]["superbill"],
    "patients.healthanswerchange": lambda w: (
        HealthAnswerChange.objects.get_or_create(
            patient=w["patient"], topic="allergies", before="None", after="Sulfa", changed_by=w["patient"].user
        )[0].pk
    ),
}
ADMIN_WITHOUT_HEALTH_DATA = {
    "portal.user", "portal.servicestate", "portal.physicianlicense", "portal.accesslog", "portal.workerheartbeat",
    "portal.reminder", "portal.emailoutbox", "mfa.authenticator", "account.emailaddress", "axes.accessattempt",
    "axes.accessfailurelog", "axes.accesslog", "auth.group", "patients.waitlistentry", "patients.visittype",
    "patients.physicianprofile", "patients.weeklyavailability", "patients.timeoff", "prescriptions.pharmacy",
    "prescriptions.pharmacylicense", "prescriptions.pharmacymembership", "prescriptions.statedefaultpharmacy",
    "prescriptions.faxtransmission", "patients.feeschedule", "patients.stripeevent",
    "education.category", "education.article",
    "portal.smsinboundevent",
}  # fmt: skip


def registered() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def test_every_admin_model_is_classified():
    assert registered() - set(ADMIN_HEALTH_MODELS) - ADMIN_WITHOUT_HEALTH_DATA == set()
    assert set(ADMIN_HEALTH_MODELS) <= registered()


@pytest.fixture
def world_with_records(world):
    from patients.tests.factories import complete_intake

    patient = world["patient"]
    if not patient.checkins.exists():
        complete_intake(patient)
    world["patient"] = patient
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(ADMIN_HEALTH_MODELS))
def test_admin_pages_with_health_data_write_access_rows(world_with_records, label):
    world = world_with_records
    admin_user = world["insiders"]["admin"]
    client = Client()
    sign_in(client, admin_user)
    app, model = label.split(".")
    pk = ADMIN_HEALTH_MODELS[label](world)
    AccessLog.objects.all().delete()

    assert client.get(f"/admin/{app}/{model}/").status_code == 200
    listing = AccessLog.objects.get(actor=admin_user)
    assert listing.patient is None and listing.action == f"admin.{label}.list"

    AccessLog.objects.all().delete()
    assert client.get(f"/admin/{app}/{model}/{pk}/change/").status_code == 200
    detail = AccessLog.objects.get(actor=admin_user)
    assert detail.patient == world["patient"].user and detail.action == f"admin.{label}.view"

    AccessLog.objects.all().delete()
    assert client.get(f"/admin/{app}/{model}/{pk}/history/").status_code == 200
    history = AccessLog.objects.get(actor=admin_user)
    assert history.patient == world["patient"].user and history.action == f"admin.{label}.history"


@pytest.mark.django_db
def test_files_calendars_and_fhir_for_a_signed_in_person_are_not_stored(world):
    """Cache-Control: no-store, private on every kind of answer with health data, not only pages."""
    patient, physician = Client(), Client()
    sign_in(patient, world["insiders"]["patient"])
    sign_in(physician, world["insiders"]["physician"])
    objects = world["objects"]
    for client, path in (
        (patient, f"/patient/appointments/{objects['appointment']}/calendar.ics"),
        (patient, f"/patient/messages/attachments/{objects['attachment']}/"),
        (physician, f"/fhir/MedicationRequest/{objects['order']}"),
        (physician, f"/clinic/messages/attachments/{objects['attachment']}/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path
