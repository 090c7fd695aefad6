"""The patient's profile (docs/domain.md "Profile and moving"): contact details; medicines and
allergies changed after the intake, kept with history and flagged on the chart until a licensed
physician marks them reviewed; new opioid use raising the same safety item as a check-in; moving
to another state, which re-checks licensure and cancels visits that could not take place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patients.models import Appointment, CareItem, HealthAnswerChange, Intake, Patient, WaitlistEntry
from patients.profile import services
from patients.profile.selectors import move_plan_for
from patients.tests.factories import appointment_at, complete_intake
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
from prescriptions.models import PharmacyPreference, TitrationPlan
from prescriptions.tests.factories import PharmacyLicenseFactory, approve_intake, make_plan

CONTACT = {
    "section": "contact",
    "phone": "512-555-0199",
    "address_line1": "22 Elm St",
    "address_line2": "Apt 4",
    "city": "Houston",
    "postal_code": "77002",
}
HEALTH = {
    "section": "health",
    "other_medications": "Vitamin D",
    "allergies": "Penicillin (rash)",
}
NEW_HOME = {"action": "move", "address_line1": "5 Grand Ave", "address_line2": "", "city": "Des Moines",
            "postal_code": "50309", "confirm": "on"}  # fmt: skip


@pytest.fixture
def submitted(patient):
    complete_intake(patient)
    return patient


@pytest.fixture
def patient_client(client, patient):
    sign_in(client, patient.user)
    return client


def health(patient, **changes):
    intake = Intake.objects.get(patient=patient)
    values = {
        "other_medications": intake.other_medications,
        "no_known_allergies": intake.no_known_allergies,
        "allergies": intake.allergies,
        "takes_opioids": intake.takes_opioids,
        "opioid_names": intake.opioid_names,
        "opioid_last_dose": intake.opioid_last_dose,
        **changes,
    }
    return services.health_answers_update(patient=patient, by=patient.user, **values)


# --- contact ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_patient_changes_phone_and_address_and_the_history_keeps_who(submitted, patient_client):
    response = patient_client.post("/patient/profile/", {**CONTACT, "state_code": "IA"})
    assert response.status_code == 302 and response["Location"] == "/patient/profile/"
    submitted.refresh_from_db()
    assert (submitted.phone, submitted.city, submitted.postal_code) == ("512-555-0199", "Houston", "77002")
    assert submitted.state.code == "TX"  # the state changes only by moving
    latest = submitted.history.latest()
    assert latest.history_user == submitted.user and latest.history_change_reason.startswith("Contact details")


@pytest.mark.django_db
def test_a_bad_phone_and_zip_are_refused_each_with_its_own_message_and_nothing_is_saved(submitted, patient_client):
    response = patient_client.post("/patient/profile/", {**CONTACT, "phone": "555", "postal_code": "7700"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a 10-digit US phone number" in page and "Enter a 5-digit ZIP code" in page
    assert 'id="error-summary"' in page
    submitted.refresh_from_db()
    assert submitted.city == "Austin" and submitted.phone == "512-555-0100"


@pytest.mark.django_db
def test_the_profile_page_uses_autocomplete_tokens_and_a_tel_field(submitted, patient_client):
    page = patient_client.get("/patient/profile/").content.decode()
    assert 'type="tel"' in page and 'autocomplete="tel"' in page
    for token in ("address-line1", "address-line2", "address-level2", "postal-code"):
        assert f'autocomplete="{token}"' in page
    assert "Your profile" in page and "/patient/profile/move/" in page
    assert "/patient/profile/notifications/" in page


@pytest.mark.django_db
def test_a_patient_without_a_state_is_sent_to_the_intake(client):
    from patients.tests.factories import PatientFactory

    newcomer = PatientFactory(state=None)
    sign_in(client, newcomer.user)
    assert client.get("/patient/profile/")["Location"] == "/intake/"
    assert client.get("/patient/profile/move/")["Location"] == "/intake/"


# --- health answers -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_allergies_keeps_history_and_flags_the_chart_until_a_physician_reviews(
    submitted, patient_client, client, physician, django_user_model
):
    response = patient_client.post("/patient/profile/", {**HEALTH})
    assert response.status_code == 302
    changes = {c.topic: c for c in HealthAnswerChange.objects.filter(patient=submitted)}
    assert set(changes) == {"allergies", "medicines"}
    assert (changes["allergies"].before, changes["allergies"].after) == ("No known drug allergies", "Penicillin (rash)")
    assert changes["allergies"].changed_by == submitted.user
    intake = submitted.intake
    intake.refresh_from_db()
    latest = intake.history.latest()
    assert latest.history_user == submitted.user and latest.allergies == "Penicillin (rash)"
    assert intake.history.count() >= 2  # the version before the change is kept

    sign_in(client, physician)
    chart = client.get(f"/clinic/patients/{submitted.pk}/").content.decode()
    assert f"Allergies changed on {timezone.localdate():%b} " in chart and "Mark reviewed" in chart
    ids = [str(c.pk) for c in changes.values()]
    response = client.post(f"/clinic/patients/{submitted.pk}/health-changes/reviewed/", {"change": ids})
    assert response["Location"] == f"/clinic/patients/{submitted.pk}/"
    assert not HealthAnswerChange.objects.filter(reviewed_at__isnull=True).exists()
    assert HealthAnswerChange.objects.filter(reviewed_by=physician).count() == 2
    chart = client.get(f"/clinic/patients/{submitted.pk}/").content.decode()
    assert "Allergies changed on" not in chart


@pytest.mark.django_db
def test_saving_the_same_answers_raises_no_flag(submitted):
    result = health(submitted)
    assert not result.changed and not HealthAnswerChange.objects.exists()


@pytest.mark.django_db
def test_allergies_with_no_known_allergies_are_refused_and_nothing_is_saved(submitted, patient_client):
    response = patient_client.post("/patient/profile/", {**HEALTH, "no_known_allergies": "on"})
    assert response.status_code == 200
    assert "no known allergies" in response.content.decode()
    submitted.intake.refresh_from_db()
    assert submitted.intake.allergies == "" and not HealthAnswerChange.objects.exists()


@pytest.mark.django_db
def test_health_answers_wait_for_the_intake_to_be_submitted(patient, patient_client):
    complete_intake(patient, submit=False)
    page = patient_client.get("/patient/profile/").content.decode()
    assert "Continue your intake" in page and 'name="allergies"' not in page
    with pytest.raises(ValidationError):
        health(patient, allergies="Sulfa")
    response = patient_client.post("/patient/profile/", {**HEALTH})
    assert response.status_code == 302 and not HealthAnswerChange.objects.exists()


@pytest.mark.django_db
def test_new_opioid_use_from_the_profile_holds_the_plan_raises_an_urgent_item_and_moves_the_washout(
    patient, physician, patient_client
):
    approve_intake(patient, physician)
    make_plan(patient, physician, start_date=patient.today() - dt.timedelta(days=3))
    yesterday = patient.today() - dt.timedelta(days=1)
    response = patient_client.post(
        "/patient/profile/",
        {**HEALTH, "allergies": "", "no_known_allergies": "on", "takes_opioids": "on",
         "opioid_names": "Tramadol", "opioid_last_dose": yesterday.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    page = patient_client.get("/patient/profile/").content.decode()
    assert "Do not take LDN until your physician says so" in page
    item = CareItem.objects.get(patient=patient)
    assert item.priority == "urgent" and "Tramadol" in item.reasons and "Opioid use reported" in item.reasons
    plan = TitrationPlan.objects.get(patient=patient, superseded_at__isnull=True)
    assert plan.pause_kind == "hold"
    patient.intake.refresh_from_db()
    assert patient.intake.deferred_until == yesterday + dt.timedelta(days=14)
    assert HealthAnswerChange.objects.get(patient=patient).topic == "medicines"


@pytest.mark.django_db
def test_an_opioid_already_reported_raises_nothing_new_when_only_allergies_change(submitted):
    yesterday = submitted.today() - dt.timedelta(days=1)
    health(submitted, takes_opioids=True, opioid_names="Tramadol", opioid_last_dose=yesterday)
    assert CareItem.objects.count() == 1
    health(submitted, no_known_allergies=False, allergies="Sulfa")
    assert CareItem.objects.count() == 1


@pytest.mark.django_db
def test_an_opioid_without_its_name_or_with_a_future_date_is_refused(submitted):
    with pytest.raises(ValidationError) as refused:
        health(
            submitted, takes_opioids=True, opioid_names="", opioid_last_dose=submitted.today() + dt.timedelta(days=2)
        )
    assert set(refused.value.message_dict) == {"opioid_names", "opioid_last_dose"}
    assert not CareItem.objects.exists() and not HealthAnswerChange.objects.exists()


@pytest.mark.django_db
def test_only_a_physician_licensed_in_the_state_marks_changes_reviewed(
    submitted, client, coordinator, outsider_physician
):
    health(submitted, no_known_allergies=False, allergies="Sulfa")
    change = HealthAnswerChange.objects.get()
    with pytest.raises(PermissionDenied):
        services.health_answer_changes_review(patient=submitted, physician=outsider_physician, change_ids=[change.pk])
    url = f"/clinic/patients/{submitted.pk}/health-changes/reviewed/"
    sign_in(client, coordinator)
    chart = client.get(f"/clinic/patients/{submitted.pk}/").content.decode()
    assert "Allergies changed on" in chart and "Mark reviewed" not in chart
    assert client.post(url, {"change": [change.pk]}).status_code == 403
    sign_in(client, outsider_physician)
    assert client.post(url, {"change": [change.pk]}).status_code == 404
    change.refresh_from_db()
    assert change.is_open


@pytest.mark.django_db
def test_a_change_made_after_the_page_was_read_stays_flagged(submitted, physician):
    health(submitted, no_known_allergies=False, allergies="Sulfa")
    seen = HealthAnswerChange.objects.get()
    health(submitted, allergies="Sulfa, latex")
    assert services.health_answer_changes_review(patient=submitted, physician=physician, change_ids=[seen.pk]) == 1
    assert HealthAnswerChange.objects.filter(reviewed_at__isnull=True).count() == 1
    with pytest.raises(ValidationError):
        services.health_answer_changes_review(patient=submitted, physician=physician, change_ids=[seen.pk])


# --- moving -------------------------------------------------------------------------------------


@pytest.fixture
def iowa_physician(db):
    """Licensed in Texas and Iowa."""
    both = PhysicianLicenseFactory(state=state("IA")).physician
    PhysicianLicenseFactory(physician=both, state=state("TX"))
    return both


@pytest.fixture
def visits(submitted, physician, iowa_physician):
    soon = timezone.now() + dt.timedelta(days=3)
    return {
        "texas_only": appointment_at(submitted, soon, physician=physician),
        "both": appointment_at(submitted, soon + dt.timedelta(days=7), kind="follow_up", physician=iowa_physician),
        "past": appointment_at(submitted, soon - dt.timedelta(days=10), physician=physician, status="completed"),
    }


@pytest.mark.django_db
def test_the_move_page_says_what_changes_before_anything_changes(submitted, visits, patient_client):
    page = patient_client.get("/patient/profile/move/?state=IA").content.decode()
    assert "Moving to Iowa" in page and "1 visit will be cancelled" in page
    assert visits["texas_only"].physician.display_name in page and "These visits stay booked" in page
    assert "Confirm my move to Iowa" in page
    submitted.refresh_from_db()
    assert submitted.state.code == "TX"
    assert Appointment.objects.filter(status="booked").count() == 2


@pytest.mark.django_db
def test_moving_to_a_served_state_cancels_visits_with_physicians_not_licensed_there(submitted, visits, patient_client):
    response = patient_client.post("/patient/profile/move/", {**NEW_HOME, "state": "IA"})
    assert response.status_code == 302 and response["Location"] == "/patient/appointments/"
    submitted.refresh_from_db()
    assert (submitted.state.code, submitted.city, submitted.postal_code) == ("IA", "Des Moines", "50309")
    assert submitted.timezone == state("IA").timezone
    cancelled = Appointment.objects.get(pk=visits["texas_only"].pk)
    assert cancelled.status == "cancelled" and cancelled.cancelled_by == submitted.user
    assert "not licensed there" in cancelled.cancellation_note
    assert Appointment.objects.get(pk=visits["both"].pk).status == "booked"
    latest = submitted.history.latest()
    assert latest.history_user == submitted.user and latest.history_change_reason == "Moved from TX to IA"


@pytest.mark.django_db
def test_moving_to_a_state_not_served_changes_nothing_and_offers_the_waitlist(submitted, visits, patient_client):
    page = patient_client.get("/patient/profile/move/?state=OR").content.decode()
    assert "We cannot care for you in Oregon yet" in page and "Join the waitlist for Oregon" in page
    refused = patient_client.post("/patient/profile/move/", {**NEW_HOME, "state": "OR"})
    assert refused.status_code == 200
    assert "because none of our physicians is licensed there" in refused.content.decode()
    response = patient_client.post("/patient/profile/move/", {"action": "waitlist", "state": "OR"})
    assert response["Location"] == "/patient/profile/"
    assert WaitlistEntry.objects.filter(email=submitted.user.email, state_code="OR").exists()
    submitted.refresh_from_db()
    assert submitted.state.code == "TX" and Appointment.objects.filter(status="booked").count() == 2


@pytest.mark.django_db
def test_a_served_state_without_a_licensed_physician_today_is_not_a_move(submitted):
    assert not move_plan_for(submitted, "GA").served  # active, but no physician holds a license there
    with pytest.raises(ValidationError):
        services.patient_move(
            patient=submitted, by=submitted.user, state_code="GA",
            address_line1="1 Peach St", address_line2="", city="Atlanta", postal_code="30303",
        )  # fmt: skip
    submitted.refresh_from_db()
    assert submitted.state.code == "TX"


@pytest.mark.django_db
def test_a_move_with_a_bad_zip_or_without_the_confirmation_saves_nothing(submitted, visits, patient_client):
    response = patient_client.post("/patient/profile/move/", {**NEW_HOME, "state": "IA", "postal_code": "5030"})
    assert response.status_code == 200 and "Enter a 5-digit ZIP code" in response.content.decode()
    response = patient_client.post("/patient/profile/move/", {**NEW_HOME, "state": "IA", "confirm": ""})
    assert "Tick the box to confirm" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state.code == "TX" and Appointment.objects.filter(status="booked").count() == 2


@pytest.mark.django_db
def test_the_move_page_names_a_preferred_pharmacy_that_cannot_ship_to_the_new_state(submitted, iowa_physician):
    pharmacy = PharmacyLicenseFactory(state=state("TX")).pharmacy
    PharmacyPreference.objects.create(patient=submitted, pharmacy=pharmacy)
    plan = move_plan_for(Patient.objects.get(pk=submitted.pk), "IA")
    assert plan.pharmacy.preferred_name == pharmacy.name and not plan.pharmacy.preferred_ships_there
    PharmacyLicenseFactory(pharmacy=pharmacy, state=state("IA"))
    assert move_plan_for(Patient.objects.get(pk=submitted.pk), "IA").pharmacy.preferred_ships_there


@pytest.mark.django_db
def test_moving_to_the_same_state_is_refused(submitted):
    with pytest.raises(ValidationError):
        services.patient_move(
            patient=submitted, by=submitted.user, state_code="TX",
            address_line1="1 Main", address_line2="", city="Dallas", postal_code="75201",
        )  # fmt: skip


# --- access -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/patient/profile/", "/patient/profile/move/"])
def test_profile_pages_are_for_patients_only(client, path, physician, pharmacy_user, coordinator):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (physician, pharmacy_user, coordinator):
        sign_in(client, user)
        assert client.get(path).status_code == 403
        assert client.post(path, {**CONTACT}).status_code == 403


@pytest.mark.django_db
def test_a_patient_only_ever_changes_their_own_record(submitted, other_patient, client):
    complete_intake(other_patient)
    sign_in(client, other_patient.user)
    client.post("/patient/profile/", {**CONTACT})
    submitted.refresh_from_db()
    assert submitted.city == "Austin"
    other_patient.refresh_from_db()
    assert other_patient.city == "Houston"


@pytest.mark.django_db
def test_mark_reviewed_refuses_get_and_anonymous(submitted, client, physician):
    url = f"/clinic/patients/{submitted.pk}/health-changes/reviewed/"
    assert client.post(url)["Location"].startswith("/accounts/login/")
    sign_in(client, physician)
    assert client.get(url).status_code == 405


# --- a later dose of an opioid already on record ------------------------------------------------


@pytest.mark.django_db
def test_a_later_dose_of_the_same_opioid_holds_the_plan(patient, physician):
    approve_intake(patient, physician)
    today = patient.today()
    long_ago = today - dt.timedelta(days=60)
    Intake.objects.filter(patient=patient).update(
        takes_opioids=True, opioid_names="Tramadol", opioid_last_dose=long_ago
    )
    make_plan(patient, physician, start_date=today - dt.timedelta(days=3))
    yesterday = today - dt.timedelta(days=1)

    result = health(patient, takes_opioids=True, opioid_names="Tramadol", opioid_last_dose=yesterday)

    assert result.opioid_item is not None and result.opioid_item.priority == "urgent"
    assert CareItem.objects.filter(patient=patient).count() == 1
    plan = TitrationPlan.objects.get(patient=patient, superseded_at__isnull=True)
    assert plan.pause_kind == "hold"
    intake = Intake.objects.get(patient=patient)
    assert intake.opioid_last_dose == yesterday
    assert intake.deferred_until == yesterday + dt.timedelta(days=14)
    assert HealthAnswerChange.objects.filter(patient=patient, topic="medicines").exists()


@pytest.mark.django_db
def test_the_same_opioid_answers_again_change_nothing(patient):
    complete_intake(patient)
    yesterday = patient.today() - dt.timedelta(days=1)
    health(patient, takes_opioids=True, opioid_names="Tramadol", opioid_last_dose=yesterday)
    assert CareItem.objects.count() == 1
    result = health(patient)
    assert not result.changed and result.opioid_item is None
    assert CareItem.objects.count() == 1
