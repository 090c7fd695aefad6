"""The multi-step intake, the waitlist and the screening result pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from patients.models import CheckIn, Consent, Intake, Patient, ReviewStatus, WaitlistEntry
from patients.tests.factories import ABOUT_DATA, STEP_DATA, PatientFactory, complete_intake
from portal.models import ServiceState
from portal.tests.factories import UserFactory
from portal.tests.signin import sign_in

ABOUT_POST = {**ABOUT_DATA, "date_of_birth_month": "5", "date_of_birth_day": "17", "date_of_birth_year": "1980"}


@pytest.fixture
def new_patient(db):
    """A patient who has signed up but not started the intake."""
    return UserFactory()


def post_step(client, step, data):
    return client.post(reverse("patients:intake_step", args=[step]), data)


@pytest.mark.django_db
def test_new_patient_walks_through_every_step_and_submits(client, new_patient):
    sign_in(client, new_patient)
    response = client.get("/intake/")
    assert response["Location"] == "/intake/about/"
    response = post_step(client, "about", ABOUT_POST)
    assert response["Location"] == "/intake/conditions/"
    patient = Patient.objects.get(user=new_patient)
    assert patient.state.code == "TX" and patient.time_zone_name == "America/Chicago"
    assert (
        post_step(client, "conditions", {"conditions": ["crps", "other"], "condition_other": "Sciatica"})["Location"]
        == "/intake/pain/"
    )
    assert post_step(client, "pain", {"peg_pain": 8, "peg_enjoyment": 7, "peg_activity": 6})["Location"] == (
        "/intake/medications/"
    )
    assert post_step(client, "medications", {"other_medications": "Gabapentin"})["Location"] == "/intake/history/"
    assert post_step(client, "history", {"hashimotos": "on"})["Location"] == "/intake/allergies/"
    assert post_step(client, "allergies", {"allergies": "Penicillin: hives"})["Location"] == "/intake/pharmacy/"
    assert client.post("/intake/pharmacy/", {"pharmacy": ""})["Location"] == "/intake/consents/"
    response = post_step(client, "consents", {"telehealth": "on", "off_label": "on", "privacy": "on"})
    assert response["Location"] == "/intake/summary/"
    summary = client.get("/intake/summary/")
    assert b"Sciatica" in summary.content and b"Penicillin" in summary.content
    response = client.post("/intake/summary/")
    assert response["Location"] == "/intake/result/"
    intake = Intake.objects.get(patient=patient)
    assert intake.review_status == ReviewStatus.PENDING
    assert intake.screening_outcome == "needs_review"
    assert intake.peg_baseline == 7.0
    baseline = CheckIn.objects.get(patient=patient)
    assert (baseline.kind, baseline.score) == (CheckIn.Kind.BASELINE, 7.0)
    assert set(Consent.objects.filter(patient=patient).values_list("kind", flat=True)) == {
        "telehealth",
        "off_label",
        "privacy",
    }
    assert all(c.version for c in Consent.objects.filter(patient=patient))
    result = client.get("/intake/result/")
    assert b"Hashimoto" in result.content


@pytest.mark.django_db
def test_leaving_and_resuming_continues_at_the_first_unfinished_step(client, new_patient):
    sign_in(client, new_patient)
    post_step(client, "about", ABOUT_POST)
    post_step(client, "conditions", {"conditions": ["fibromyalgia"]})
    client.logout()
    sign_in(client, new_patient)
    assert client.get("/intake/")["Location"] == "/intake/pain/"
    # earlier answers are shown again
    assert b'value="Rosa"' in client.get("/intake/about/").content


@pytest.mark.django_db
def test_unserved_state_is_explained_before_any_health_question_and_nothing_is_saved(client, new_patient):
    sign_in(client, new_patient)
    response = post_step(client, "about", {**ABOUT_POST, "state_code": "NV"})
    assert response.status_code == 200
    assert b"We do not serve Nevada yet" in response.content
    assert b"/intake/waitlist/?state=NV" in response.content
    patient = Patient.objects.get(user=new_patient)
    assert patient.state is None and patient.legal_first_name == ""
    # the health steps are not reachable
    assert client.get("/intake/medications/")["Location"] == "/intake/about/"
    assert post_step(client, "pain", {"peg_pain": 5, "peg_enjoyment": 5, "peg_activity": 5}).status_code == 302
    assert Intake.objects.get(patient=patient).peg_pain is None


@pytest.mark.django_db
def test_state_deactivated_later_is_handled_like_an_unserved_one(client, new_patient):
    sign_in(client, new_patient)
    post_step(client, "about", ABOUT_POST)
    ServiceState.objects.filter(code="TX").update(active=False)
    response = client.get("/intake/conditions/", follow=True)
    assert response.redirect_chain[-1][0] == "/intake/about/"
    assert b"We no longer serve Texas" in response.content
    assert b"/intake/waitlist/?state=TX" in response.content


@pytest.mark.django_db
def test_under_eighteen_is_refused_with_a_clear_message(client, new_patient):
    sign_in(client, new_patient)
    born = dt.date.today().replace(year=dt.date.today().year - 17)
    typed = {"date_of_birth_month": born.month, "date_of_birth_day": born.day, "date_of_birth_year": born.year}
    response = post_step(client, "about", {**ABOUT_POST, **typed})
    assert response.status_code == 200
    assert b"18 or older" in response.content
    assert Patient.objects.get(user=new_patient).date_of_birth is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("about", {**ABOUT_POST, "phone": "12"}, b"10-digit US phone"),
        ("about", {**ABOUT_POST, "postal_code": "ABCDE"}, b"5-digit ZIP"),
        ("conditions", {}, b"Choose at least one condition"),
        ("conditions", {"conditions": ["other"]}, b"Describe the other condition"),
        ("pain", {"peg_pain": 11, "peg_enjoyment": 3, "peg_activity": 3}, b"from 0 to 10"),
        ("pain", {"peg_pain": "x", "peg_enjoyment": 3, "peg_activity": 3}, b"whole number"),
        ("medications", {"takes_opioids": "on", "opioid_names": "Tramadol"}, b"date of your last dose"),
        ("medications", {"takes_opioids": "on"}, b"Name the opioid"),
        ("medications", {"takes_immunosuppressants": "on"}, b"Name the immunosuppressant"),
        ("allergies", {}, b"no known allergies"),
        ("consents", {"telehealth": "on"}, b"off-label"),
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(client, new_patient, step, data, message):
    sign_in(client, new_patient)
    if step != "about":
        post_step(client, "about", ABOUT_POST)
    client.get(reverse("patients:intake_step", args=[step]))
    before = Intake.objects.filter(patient__user=new_patient).values().first()
    patient_before = Patient.objects.filter(user=new_patient).values().first()
    response = post_step(client, step, data)
    assert response.status_code == 200
    assert message in response.content
    after = Intake.objects.filter(patient__user=new_patient).values().first()
    if before:
        before.pop("updated_at")
    if after:
        after.pop("updated_at")
    assert before == after
    assert Patient.objects.filter(user=new_patient).values().first() == patient_before
    assert not Consent.objects.filter(patient__user=new_patient).exists()


@pytest.mark.django_db
def test_submitting_before_every_step_is_done_is_refused(client, new_patient):
    sign_in(client, new_patient)
    post_step(client, "about", ABOUT_POST)
    response = client.post("/intake/summary/", follow=True)
    assert b"Please finish these steps first" in response.content
    assert Intake.objects.get(patient__user=new_patient).submitted_at is None


@pytest.mark.django_db
def test_a_submitted_intake_cannot_be_changed(client, patient):
    complete_intake(patient)
    sign_in(client, patient.user)
    response = post_step(client, "pain", {"peg_pain": 1, "peg_enjoyment": 1, "peg_activity": 1})
    assert response["Location"] == "/intake/result/"
    assert patient.intake.__class__.objects.get(pk=patient.intake.pk).peg_pain == STEP_DATA["pain"]["peg_pain"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({}, b"Nothing in your answers rules out"),
        ({"history": {"liver_disease": True}}, b"needs to look at some of your answers"),
        ({"history": {"organ_transplant": True}, "medications": {"takes_immunosuppressants": True,
          "immunosuppressant_names": "Tacrolimus"}}, b"generally not suitable"),
    ],
)  # fmt: skip
def test_result_page_explains_the_outcome_in_plain_language(client, patient, overrides, text):
    complete_intake(patient, **overrides)
    sign_in(client, patient.user)
    assert text in client.get("/intake/result/").content


@pytest.mark.django_db
def test_deferred_result_names_the_date_and_explains_withdrawal(client, patient):
    with time_machine.travel(dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC), tick=False):
        complete_intake(
            patient,
            medications={"takes_opioids": True, "opioid_names": "Tramadol", "opioid_last_dose": dt.date(2026, 3, 17)},
        )
        sign_in(client, patient.user)
        content = client.get("/intake/result/").content
    assert b"March 31, 2026" in content
    assert b"withdrawal" in content
    assert patient.intake.deferred_until == dt.date(2026, 3, 31)


@pytest.mark.django_db
def test_washout_counts_days_in_the_patients_own_time_zone(patient):
    # 03:00 UTC on March 31 is still March 30 in Chicago: 13 days after a March 17 dose there.
    with time_machine.travel(dt.datetime(2026, 3, 31, 3, 0, tzinfo=dt.UTC), tick=False):
        intake = complete_intake(
            patient,
            medications={"takes_opioids": True, "opioid_names": "Codeine", "opioid_last_dose": dt.date(2026, 3, 17)},
        )
    assert intake.screening_outcome == "deferred"
    assert intake.deferred_until == dt.date(2026, 3, 31)


@pytest.mark.django_db
def test_washout_of_exactly_fourteen_days_is_eligible(patient):
    with time_machine.travel(dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC), tick=False):
        intake = complete_intake(
            patient,
            medications={"takes_opioids": True, "opioid_names": "Codeine", "opioid_last_dose": dt.date(2026, 3, 17)},
        )
    assert intake.screening_outcome == "eligible"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/intake/", "/intake/about/", "/intake/pharmacy/", "/intake/summary/", "/intake/result/"]
)
@pytest.mark.parametrize("role", ["physician", "pharmacy", "admin"])
def test_intake_pages_refuse_other_roles(client, role_users, path, role):
    sign_in(client, role_users[role])
    assert client.get(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/intake/", "/intake/about/", "/intake/summary/"])
def test_intake_pages_send_anonymous_visitors_to_login(client, path):
    assert client.get(path)["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_intake_refuses_wrong_methods(client, new_patient):
    sign_in(client, new_patient)
    assert client.post("/intake/").status_code == 405
    assert client.post("/intake/result/").status_code == 405
    assert client.put("/intake/about/").status_code == 405


@pytest.mark.django_db
def test_unknown_step_is_404(client, new_patient):
    sign_in(client, new_patient)
    assert client.get("/intake/nope/").status_code == 404


@pytest.mark.django_db
def test_waitlist_keeps_only_email_and_state_and_is_idempotent(client):
    assert client.get("/intake/waitlist/?state=NV").status_code == 200
    for _ in range(2):
        response = client.post("/intake/waitlist/", {"email": "Someone@Example.com", "state_code": "NV"})
        assert response.status_code == 200
        assert b"on the waitlist for Nevada" in response.content
    entry = WaitlistEntry.objects.get()
    assert (entry.email, entry.state_code) == ("someone@example.com", "NV")
    assert {f.name for f in WaitlistEntry._meta.fields} == {"id", "email", "state_code", "created_at", "notified_at"}


@pytest.mark.django_db
def test_waitlist_for_a_served_state_points_to_sign_up(client):
    response = client.post("/intake/waitlist/", {"email": "a@example.com", "state_code": "TX"})
    assert b"we already serve Texas" in response.content
    assert not WaitlistEntry.objects.exists()


@pytest.mark.django_db
def test_waitlist_bad_input_saves_nothing(client):
    response = client.post("/intake/waitlist/", {"email": "not-an-email", "state_code": "ZZ"})
    assert response.status_code == 200
    assert not WaitlistEntry.objects.exists()


@pytest.mark.django_db
def test_pharmacy_step_offers_only_pharmacies_licensed_for_the_patients_state(client, new_patient):
    from prescriptions.tests.factories import PharmacyLicenseFactory

    tx = PharmacyLicenseFactory(state=ServiceState.objects.get(code="TX")).pharmacy
    fl = PharmacyLicenseFactory(state=ServiceState.objects.get(code="FL")).pharmacy
    sign_in(client, new_patient)
    post_step(client, "about", ABOUT_POST)
    content = client.get("/intake/pharmacy/").content.decode()
    assert tx.name in content and fl.name not in content
    response = client.post("/intake/pharmacy/", {"pharmacy": fl.pk})
    assert response.status_code == 200
    response = client.post("/intake/pharmacy/", {"pharmacy": tx.pk})
    assert response.status_code == 302
    assert Patient.objects.get(user=new_patient).pharmacy_preference.pharmacy == tx


@pytest.mark.django_db
def test_patient_factory_patient_can_use_intake(client):
    patient = PatientFactory()
    sign_in(client, patient.user)
    assert client.get("/intake/").status_code == 302


@pytest.mark.django_db
def test_pharmacy_step_offers_no_preference(client, new_patient):
    sign_in(client, new_patient)
    post_step(client, "about", ABOUT_POST)
    assert b"No preference: let the practice choose" in client.get("/intake/pharmacy/").content
