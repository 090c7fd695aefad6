"""The intake's forms as a patient meets them: "Save and finish later" keeps the answers, each
required answer says what is missing in its own words, and the fields name what a browser may fill in."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from patients.models import Intake, Patient
from patients.tests.factories import ABOUT_DATA
from portal.models import ServiceState
from portal.tests.factories import UserFactory
from portal.tests.signin import sign_in

ABOUT_POST = {**ABOUT_DATA, "date_of_birth_month": "5", "date_of_birth_day": "17", "date_of_birth_year": "1980"}

FINISH_LATER = {"finish_later": "1"}


class _Inputs(HTMLParser):
    """The attributes of every form control of a page, by name."""

    def __init__(self):
        super().__init__()
        self.by_name: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"input", "select", "textarea"} and attributes.get("name"):
            self.by_name.setdefault(attributes["name"], {"tag": tag, **attributes})


def controls(html: bytes) -> dict[str, dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(html.decode())
    return parser.by_name


@pytest.fixture
def new_patient(db):
    return UserFactory()


def step_url(step):
    return reverse("patients:intake_step", args=[step])


@pytest.mark.django_db
def test_the_step_offers_save_and_finish_later_as_a_button_of_its_form(client, new_patient):
    sign_in(client, new_patient)
    content = client.get(step_url("about")).content
    assert b'name="finish_later"' in content
    assert b'type="submit" class="btn btn-outline-secondary" name="finish_later"' in content
    assert b"Save later and leave" not in content


@pytest.mark.django_db
def test_save_and_finish_later_keeps_the_about_step_and_goes_home(client, new_patient):
    sign_in(client, new_patient)
    response = client.post(step_url("about"), {**ABOUT_POST, **FINISH_LATER})
    assert response.status_code == 302 and response["Location"] == reverse("patients:home")
    patient = Patient.objects.get(user=new_patient)
    assert (patient.legal_first_name, patient.city, patient.state.code) == ("Rosa", "Austin", "TX")
    assert Intake.objects.get(patient=patient).completed_steps == ["about"]
    home = client.get(response["Location"])
    assert b"Saved. You can finish your intake any time from your portal." in home.content
    # coming back resumes at the next step, with the answers shown again
    assert client.get("/intake/")["Location"] == step_url("conditions")
    assert b'value="Rosa"' in client.get(step_url("about")).content


@pytest.mark.django_db
def test_save_and_finish_later_keeps_a_health_step(client, new_patient):
    sign_in(client, new_patient)
    client.post(step_url("about"), ABOUT_POST)
    response = client.post(step_url("medications"), {"other_medications": "Gabapentin 300 mg", **FINISH_LATER})
    assert response["Location"] == reverse("patients:home")
    intake = Intake.objects.get(patient__user=new_patient)
    assert intake.other_medications == "Gabapentin 300 mg" and "medications" in intake.completed_steps
    assert b"Gabapentin 300 mg" in client.get(step_url("medications")).content


@pytest.mark.django_db
def test_save_and_finish_later_keeps_the_pharmacy_step(client, new_patient):
    from prescriptions.tests.factories import PharmacyLicenseFactory

    pharmacy = PharmacyLicenseFactory(state=ServiceState.objects.get(code="TX")).pharmacy
    sign_in(client, new_patient)
    client.post(step_url("about"), ABOUT_POST)
    url = reverse("prescriptions:intake_pharmacy")
    # the choice shown unchanged ("No preference"): nothing new to keep, the step waits for the patient
    assert client.post(url, {"pharmacy": "", **FINISH_LATER})["Location"] == reverse("patients:home")
    assert "pharmacy" not in Intake.objects.get(patient__user=new_patient).completed_steps
    response = client.post(url, {"pharmacy": pharmacy.pk, **FINISH_LATER})
    assert response["Location"] == reverse("patients:home")
    assert Patient.objects.get(user=new_patient).pharmacy_preference.pharmacy == pharmacy
    assert "pharmacy" in Intake.objects.get(patient__user=new_patient).completed_steps


@pytest.mark.django_db
def test_a_part_filled_step_that_cannot_be_saved_yet_keeps_what_was_typed_and_says_so(client, new_patient):
    sign_in(client, new_patient)
    typed = {**ABOUT_POST, "city": "", "postal_code": "", **FINISH_LATER}
    response = client.post(step_url("about"), typed)
    assert response.status_code == 200
    content = response.content
    assert b"This step could not be saved yet" in content
    assert b"Enter your city or town." in content and b"Enter your 5-digit ZIP code." in content
    # nothing typed is lost: every answer is back in its field
    fields = controls(content)
    assert fields["legal_first_name"]["value"] == "Rosa"
    assert fields["address_line1"]["value"] == "1 Congress Ave"
    assert fields["phone"]["value"] == "512-555-0100"
    # and nothing half-done was written
    assert Patient.objects.get(user=new_patient).legal_first_name == ""


@pytest.mark.django_db
def test_finishing_later_with_nothing_typed_goes_home_without_an_error(client, new_patient):
    sign_in(client, new_patient)
    client.post(step_url("about"), ABOUT_POST)
    response = client.post(step_url("conditions"), FINISH_LATER)
    assert response["Location"] == reverse("patients:home")
    assert "conditions" not in Intake.objects.get(patient__user=new_patient).completed_steps


@pytest.mark.django_db
def test_save_and_continue_still_goes_to_the_next_step(client, new_patient):
    sign_in(client, new_patient)
    assert client.post(step_url("about"), ABOUT_POST)["Location"] == step_url("conditions")


@pytest.mark.django_db
def test_each_required_answer_says_what_is_missing(client, new_patient):
    sign_in(client, new_patient)
    content = client.post(step_url("about"), {}).content
    for message in (
        b"Enter your legal first name.",
        b"Enter your legal last name.",
        b"Enter your date of birth.",
        b"Enter your mobile phone number",
        b"Enter your street address.",
        b"Enter your city or town.",
        b"Choose the state where you live.",
        b"Enter your 5-digit ZIP code.",
    ):
        assert message in content, message
    assert b"This field is required." not in content
    client.post(step_url("about"), ABOUT_POST)
    pain = client.post(step_url("pain"), {}).content
    assert b"This field is required." not in pain
    assert b"Rate how bad your pain has been this week" in pain and b"enjoying life" in pain


@pytest.mark.django_db
def test_about_you_fields_name_what_the_browser_may_fill_in(client, new_patient):
    sign_in(client, new_patient)
    fields = controls(client.get(step_url("about")).content)
    expected = {
        "legal_first_name": "given-name",
        "legal_last_name": "family-name",
        "date_of_birth_month": "bday-month",
        "date_of_birth_day": "bday-day",
        "date_of_birth_year": "bday-year",
        "phone": "tel",
        "address_line1": "address-line1",
        "address_line2": "address-line2",
        "city": "address-level2",
        "state_code": "address-level1",
        "postal_code": "postal-code",
    }
    assert {name: fields[name].get("autocomplete") for name in expected} == expected
    assert fields["phone"]["type"] == "tel"
    assert fields["postal_code"]["inputmode"] == "numeric"
    assert all(fields[f"date_of_birth_{part}"]["inputmode"] == "numeric" for part in ("month", "day", "year"))


@pytest.mark.django_db
def test_waitlist_fields_name_email_and_state(client):
    fields = controls(client.get(reverse("patients:waitlist")).content)
    assert fields["email"]["autocomplete"] == "email" and fields["email"]["type"] == "email"
    assert fields["state_code"]["autocomplete"] == "address-level1"
