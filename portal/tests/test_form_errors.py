"""The one way every form shows its errors (base.html, templates/partials/error_summary.html,
templates/bootstrap5/errors.html, portal.templatetags.form_errors): a summary at the top linking to
each field, errors of the whole form in an alert, "Error: " in the title, a script only on such
pages; and the account forms' autocomplete tokens."""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from patients.tests.factories import ABOUT_DATA
from portal.templatetags.form_errors import errors_in
from portal.tests.factories import TEST_PASSWORD, PhysicianFactory, UserFactory
from portal.tests.signin import sign_in

ABOUT_POST = {**ABOUT_DATA, "date_of_birth": "1980-05-17"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.title = ""
        self._in_title = False
        self.controls: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "title":
            self._in_title = True
        if tag in {"input", "select", "textarea"} and attributes.get("name"):
            self.controls.setdefault(attributes["name"], attributes)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def page(response) -> _Page:
    parsed = _Page()
    parsed.feed(response.content.decode())
    return parsed


def summary_of(response) -> str:
    match = re.search(
        r'<div class="alert alert-danger error-summary".*?</ul>\s*</div>', response.content.decode(), re.S
    )
    assert match, "no error summary"
    return match.group(0)


@pytest.fixture
def patient_user(db):
    return UserFactory()


@pytest.mark.django_db
def test_a_form_with_errors_gets_a_summary_linking_to_each_field(client, patient_user):
    sign_in(client, patient_user)
    response = client.post(reverse("patients:intake_step", args=["about"]), {**ABOUT_POST, "city": "", "phone": "12"})
    assert response.status_code == 200
    summary = summary_of(response)
    assert 'id="error-summary" role="alert" tabindex="-1"' in summary
    assert "There is a problem" in summary
    links = re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', summary)
    assert [target for target, _ in links] == ["id_phone", "id_city"]
    assert "Enter your city or town." in links[1][1] and "10-digit US phone" in links[0][1]
    parsed = page(response)
    assert {"id_phone", "id_city"} <= parsed.ids  # each link lands on its field
    assert parsed.controls["city"].get("aria-invalid") == "true"


@pytest.mark.django_db
def test_the_title_says_error_and_the_focus_script_loads_only_when_there_are_errors(client, patient_user):
    sign_in(client, patient_user)
    url = reverse("patients:intake_step", args=["about"])
    fine = client.get(url)
    assert not page(fine).title.startswith("Error:")
    assert b"error-summary" not in fine.content
    assert b"js/error-summary.js" not in fine.content
    wrong = client.post(url, {})
    assert page(wrong).title.startswith("Error: Intake: About you")
    assert re.search(rb'<script src="[^"]*js/error-summary\.js"></script>', wrong.content)
    assert b"<script>" not in wrong.content  # nothing inline (CSP)


@pytest.mark.django_db
def test_a_choice_list_links_to_its_first_option(client, patient_user):
    sign_in(client, patient_user)
    client.post(reverse("patients:intake_step", args=["about"]), ABOUT_POST)
    response = client.post(reverse("patients:intake_step", args=["conditions"]), {})
    assert 'href="#id_conditions_0"' in summary_of(response)
    assert "id_conditions_0" in page(response).ids


@pytest.mark.django_db
def test_an_error_of_the_whole_form_is_an_alert_and_in_the_summary(client, patient_user):
    sign_in(client, patient_user)
    client.post(reverse("patients:intake_step", args=["about"]), ABOUT_POST)
    response = client.post(reverse("patients:intake_step", args=["allergies"]), {})
    content = response.content.decode()
    assert re.search(
        r'<div class="alert alert-danger" role="alert">\s*<ul class="m-0">\s*<li>List your allergies', content
    )
    assert "List your allergies" in summary_of(response)
    assert page(response).title.startswith("Error:")


@pytest.mark.django_db
def test_a_refused_sign_in_uses_the_same_summary_and_alert(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "not-the-password"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in summary_of(response)
    assert '<div class="alert alert-danger" role="alert">' in content
    assert page(response).title.startswith("Error:")


@pytest.mark.django_db
def test_the_public_waitlist_form_has_the_summary_too(client):
    response = client.post(reverse("patients:waitlist"), {"email": "", "state_code": ""})
    summary = summary_of(response)
    assert 'href="#id_email"' in summary and "Enter your email address." in summary
    assert 'href="#id_state_code"' in summary


def test_errors_in_reads_forms_and_formsets_once_and_skips_unbound_ones():
    class Line(forms.Form):
        dose = forms.IntegerField(label="Dose", error_messages={"required": "Enter the dose."})

        def clean(self):
            raise forms.ValidationError("Whole-line problem.")

    Lines = forms.formset_factory(Line, extra=0)
    formset = Lines({"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-dose": ""})
    form = Line({"dose": ""})
    found = errors_in([form, Line(), formset, [form], "text", None])
    assert [(e.message, e.field_id) for e in found] == [
        ("Whole-line problem.", ""),
        ("Enter the dose.", "id_dose"),
        ("Whole-line problem.", ""),
        ("Enter the dose.", "id_form-0-dose"),
    ]


@pytest.mark.django_db
def test_authenticator_code_fields_are_numeric_one_time_codes_and_focused(client):
    user = PhysicianFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    code = page(client.get("/accounts/2fa/authenticate/")).controls["code"]
    assert code["autocomplete"] == "one-time-code"
    assert code["inputmode"] == "numeric"
    assert "autofocus" in code
    refused = client.post("/accounts/2fa/authenticate/", {"code": ""})
    assert b"Enter the code from your authenticator app." in refused.content


@pytest.mark.django_db
def test_enrolling_an_authenticator_asks_for_a_numeric_one_time_code(client):
    user = PhysicianFactory(totp=False)
    sign_in(client, user)
    # enrolling asks for the password again first
    client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": TEST_PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    code = page(response).controls["code"]
    assert (code["autocomplete"], code["inputmode"]) == ("one-time-code", "numeric")


@pytest.mark.django_db
def test_account_forms_name_email_and_passwords(client):
    login = page(client.get(reverse("account_login"))).controls
    assert login["login"]["autocomplete"] == "email"
    assert login["password"]["autocomplete"] == "current-password"
    signup = page(client.get(reverse("account_signup"))).controls
    assert signup["email"]["autocomplete"] == "email"
    assert signup["password1"]["autocomplete"] == "new-password"
