"""Property-based tests: no input to a public form produces a 500 or a half-saved record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patients.models import CheckIn, Consent, Intake, Patient, WaitlistEntry
from patients.tests.factories import ABOUT_DATA, PatientFactory, complete_intake
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "11", "1e9", "null", "<script>alert(1)</script>", "'; DROP TABLE x; --",
                     "2026-02-30", "9999-12-31", "\x00", "🙂" * 50]),
)  # fmt: skip
values = st.one_of(text, st.integers(-(10**12), 10**12).map(str), st.lists(text, max_size=4))


def form_data(fields):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values))


def snapshot(patient: Patient) -> tuple:
    return (
        tuple(Intake.objects.filter(patient=patient).values_list()),
        tuple(Patient.objects.filter(pk=patient.pk).values_list()),
        Consent.objects.filter(patient=patient).count(),
        CheckIn.objects.filter(patient=patient).count(),
    )


def post_and_check(client, path, data, patient):
    """A POST either succeeds (redirect) or shows errors and leaves the records as they were."""
    with transaction.atomic():
        before = snapshot(patient)
        response = client.post(path, data)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code != 302:
            assert snapshot(patient) == before
        transaction.set_rollback(True)


STEP_FIELDS = {
    "about": list(ABOUT_DATA),
    "conditions": ["conditions", "condition_other"],
    "pain": ["peg_pain", "peg_enjoyment", "peg_activity"],
    "medications": ["takes_opioids", "opioid_names", "opioid_last_dose", "takes_immunosuppressants",
                    "immunosuppressant_names", "takes_thyroid_medication", "thyroid_medication_names",
                    "other_medications"],
    "history": ["organ_transplant", "liver_disease", "hashimotos"],
    "allergies": ["no_known_allergies", "allergies"],
    "consents": ["telehealth", "off_label", "privacy"],
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("step", list(STEP_FIELDS))
def test_intake_steps_never_fail_or_half_save(step):
    patient = PatientFactory(state=state("TX"))
    client = Client()
    sign_in(client, patient.user)
    if step != "about":
        client.post("/intake/about/", {**ABOUT_DATA, "date_of_birth": "1980-05-17"})
    client.get(f"/intake/{step}/")

    @FUZZ
    @given(data=form_data(STEP_FIELDS[step]))
    def run(data):
        post_and_check(client, f"/intake/{step}/", data, patient)

    run()


@pytest.mark.django_db
def test_check_in_form_never_fails_or_half_saves():
    patient = PatientFactory(state=state("TX"))
    complete_intake(patient)
    client = Client()
    sign_in(client, patient.user)

    fields = ["pain", "enjoyment", "activity", "side_effects", "side_effect_other", "side_effect_severity"]
    fields += ["opioid_use", "opioid_names", "opioid_last_taken", "red_flags", "note", "kind"]

    @FUZZ
    @given(data=form_data(fields))
    def run(data):
        post_and_check(client, "/patient/checkins/new/", data, patient)

    run()


@pytest.mark.django_db
def test_review_form_never_fails_or_half_saves():
    patient = PatientFactory(state=state("TX"))
    complete_intake(
        patient, medications={"takes_opioids": True, "opioid_names": "x", "opioid_last_dose": dt.date.today()}
    )
    physician = PhysicianLicenseFactory(state=state("TX")).physician
    client = Client()
    sign_in(client, physician)

    @FUZZ
    @given(data=form_data(["decision", "note", "override_reason"]))
    def run(data):
        with transaction.atomic():
            before = tuple(Intake.objects.filter(patient=patient).values_list())
            response = client.post(f"/clinic/patients/{patient.pk}/review/", data)
            assert response.status_code == 302
            after = tuple(Intake.objects.filter(patient=patient).values_list())
            if data.get("decision") not in ("approve", "decline"):
                assert before == after
            transaction.set_rollback(True)

    run()


@pytest.mark.django_db
def test_waitlist_form_never_fails():
    client = Client()

    @FUZZ
    @given(data=form_data(["email", "state_code"]))
    def run(data):
        with transaction.atomic():
            count = WaitlistEntry.objects.count()
            response = client.post("/intake/waitlist/", data)
            assert response.status_code == 200
            assert WaitlistEntry.objects.count() in (count, count + 1)
            transaction.set_rollback(True)

    run()


def db_fingerprint() -> tuple:
    """Row counts of everything a clinical form can write."""
    from patients.models import Appointment, Message, Thread, TimeOff, WeeklyAvailability
    from prescriptions.models import OrderEvent, PrescriptionOrder, TitrationPlan, TitrationStep

    models = (Appointment, Message, Thread, TimeOff, WeeklyAvailability, OrderEvent, PrescriptionOrder,
              TitrationPlan, TitrationStep)  # fmt: skip
    return tuple(m.objects.count() for m in models) + tuple(
        PrescriptionOrder.objects.order_by("pk").values_list("status", "content_hash")
    )


CLINICAL_FORMS = [
    # (role, path template, fields)
    ("patient", "/patient/messages/", ["subject", "body"]),
    ("patient", "/patient/messages/{thread}/", ["body"]),
    ("patient", "/patient/appointments/book/", ["state", "slot"]),
    ("physician", "/clinic/messages/{thread}/", ["body", "article_slug"]),
    ("physician", "/clinic/availability/", ["action", "weekday", "start_time", "end_time", "time_zone", "starts_at",
                                             "ends_at", "reason"]),
    ("physician", "/clinic/patients/{patient}/plan/new/", ["template", "formulation", "dosing_time", "start_date",
                                                            "followup_days", "high_dose_reason", "override_reason",
                                                            "form-TOTAL_FORMS", "form-0-dose_mg", "form-0-days"]),
    ("physician", "/clinic/patients/{patient}/orders/new/", ["capsule_strength_mg", "filler", "concentration_mg_per_ml",
                                                              "supply_start", "days_supply", "refills",
                                                              "indication_code", "ship_to_state", "ship_to_postal_code"]),
    ("pharmacy", "/pharmacy/orders/{order}/action/", ["to", "note", "carrier", "tracking_number"]),
    ("physician", "/clinic/appointments/{appointment}/cancel/", ["note"]),
    ("physician", "/clinic/appointments/{appointment}/visit-note/", ["action", "subjective", "assessment", "plan",
                                                                     "summary_decided", "summary_next_steps"]),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "template", "fields"), CLINICAL_FORMS)
def test_clinical_forms_never_fail_or_half_save(world, role, template, fields):
    from patients.models import Thread

    thread = Thread.objects.get(patient__pk=world["objects"]["patient"])
    path = template.format(
        thread=thread.pk,
        patient=world["objects"]["patient"],
        order=world["objects"]["order"],
        appointment=world["objects"]["appointment"],
    )
    client = Client()
    sign_in(client, world["insiders"][role])

    @FUZZ
    @given(data=form_data(fields))
    def run(data):
        with transaction.atomic():
            before = db_fingerprint()
            response = client.post(path, data)
            assert response.status_code in (200, 302, 400, 404), response.status_code
            if response.status_code != 302:
                assert db_fingerprint() == before
            transaction.set_rollback(True)

    run()
