"""The preferred pharmacy changed from the profile after the intake."""

from __future__ import annotations

import pytest

from patients.tests.factories import complete_intake
from portal.tests.factories import state
from portal.tests.signin import sign_in
from prescriptions.models import PharmacyPreference
from prescriptions.tests.factories import PharmacyLicenseFactory

URL = "/patient/profile/pharmacy/"


@pytest.fixture
def submitted(patient):
    complete_intake(patient)
    return patient


@pytest.mark.django_db
def test_the_patient_chooses_among_pharmacies_licensed_for_their_state(client, submitted):
    texas = PharmacyLicenseFactory(state=state("TX")).pharmacy
    florida = PharmacyLicenseFactory(state=state("FL")).pharmacy
    sign_in(client, submitted.user)
    page = client.get(URL).content.decode()
    assert texas.name in page and florida.name not in page

    response = client.post(URL, {"pharmacy": texas.pk}, follow=True)
    assert response.redirect_chain[-1][0] == "/patient/profile/"
    assert f"your next prescriptions go to {texas.name}" in response.content.decode()
    assert PharmacyPreference.objects.get(patient=submitted).pharmacy == texas
    # its history keeps who chose what
    assert PharmacyPreference.history.filter(patient=submitted).exists()


@pytest.mark.django_db
def test_a_pharmacy_of_another_state_is_refused_and_nothing_changes(client, submitted):
    florida = PharmacyLicenseFactory(state=state("FL")).pharmacy
    before = PharmacyPreference.objects.filter(patient=submitted).values_list("pharmacy", flat=True).first()
    sign_in(client, submitted.user)
    response = client.post(URL, {"pharmacy": florida.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert PharmacyPreference.objects.filter(patient=submitted).values_list("pharmacy", flat=True).first() == before


@pytest.mark.django_db
def test_no_preference_lets_the_practice_choose(client, submitted):
    sign_in(client, submitted.user)
    response = client.post(URL, {"pharmacy": ""}, follow=True)
    assert "the practice will choose" in response.content.decode()
    assert PharmacyPreference.objects.get(patient=submitted).pharmacy is None


@pytest.mark.django_db
def test_before_the_intake_is_submitted_the_choice_is_the_intakes_own_step(client, patient):
    sign_in(client, patient.user)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/intake/pharmacy/"


@pytest.mark.django_db
def test_only_patients_reach_it(client, physician, pharmacy_user):
    assert client.get(URL).status_code == 302  # anonymous: to sign in
    for user in (physician, pharmacy_user):
        sign_in(client, user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"pharmacy": ""}).status_code == 403


@pytest.mark.django_db
def test_the_profile_links_to_it(client, submitted):
    sign_in(client, submitted.user)
    assert f'href="{URL}"' in client.get("/patient/profile/").content.decode()
