"""The intake's date of birth as three labelled boxes (Month, Day, Year), each message saying
what to fix, and nothing saved while the date is wrong."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from patients.intake.forms import AboutForm
from patients.models import Patient
from patients.tests.factories import ABOUT_DATA
from portal.tests.factories import UserFactory
from portal.tests.signin import sign_in

ABOUT = {k: v for k, v in ABOUT_DATA.items() if k != "date_of_birth"}
EXAMPLE = "Enter a real date of birth, for example 4 12 1980."


def born(month, day, year) -> dict:
    return {"date_of_birth_month": month, "date_of_birth_day": day, "date_of_birth_year": year}


def dob_errors(data) -> list[str]:
    form = AboutForm(data={**ABOUT, **data})
    form.is_valid()
    return form.errors.get("date_of_birth", [])


@pytest.fixture
def new_patient(db):
    return UserFactory()


ABOUT_URL = "/intake/about/"


@pytest.mark.django_db
def test_the_date_of_birth_is_three_labelled_numeric_boxes_in_a_fieldset(client, new_patient):
    sign_in(client, new_patient)
    html = client.get(ABOUT_URL).content.decode()
    fieldset = html[html.index('id="div_id_date_of_birth"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert re.search(r"<legend[^>]*>\s*Date of birth", fieldset)
    for index, (part, label, digits) in enumerate((("month", "Month", 2), ("day", "Day", 2), ("year", "Year", 4))):
        box_id = f"id_date_of_birth_{index}"
        assert f'<label class="form-label small mb-1" for="{box_id}">{label}</label>' in fieldset
        box = re.search(rf'<input [^>]*name="date_of_birth_{part}"[^>]*>', fieldset).group(0)
        assert f'id="{box_id}"' in box
        assert 'inputmode="numeric"' in box and f'autocomplete="bday-{part}"' in box
        assert f'maxlength="{digits}"' in box and 'type="text"' in box
    assert 'type="date"' not in fieldset


@pytest.mark.django_db
def test_a_real_date_is_saved(client, new_patient):
    sign_in(client, new_patient)
    response = client.post(ABOUT_URL, {**ABOUT, **born("4", "12", "1980")})
    assert response.status_code == 302
    assert Patient.objects.get(user=new_patient).date_of_birth == dt.date(1980, 4, 12)


@pytest.mark.django_db
def test_a_saved_date_comes_back_in_the_three_boxes(client, new_patient):
    sign_in(client, new_patient)
    client.post(ABOUT_URL, {**ABOUT, **born("04", "09", "1975")})
    html = client.get(ABOUT_URL).content.decode()
    assert re.search(r'name="date_of_birth_month" value="4"', html)
    assert re.search(r'name="date_of_birth_day" value="9"', html)
    assert re.search(r'name="date_of_birth_year" value="1975"', html)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (born("", "", ""), "Enter your date of birth."),
        (born("4", "12", ""), "Enter the year you were born, for example 4 12 1980."),
        (born("", "12", ""), "Enter the month and the year you were born, for example 4 12 1980."),
        (born("April", "12", "1980"), f"Use numbers only. {EXAMPLE}"),
        (born("4", "12", "80"), "Enter the year with 4 digits, for example 1980."),
        (born("13", "4", "1980"), "Enter a month from 1 to 12, for example 4 for April."),
        (born("2", "30", "1980"), f"February 1980 has no day 30. {EXAMPLE}"),
        (born("2", "29", "1981"), f"February 1981 has no day 29. {EXAMPLE}"),
        (born("4", "31", "1980"), f"April 1980 has no day 31. {EXAMPLE}"),
        (born("4", "0", "1980"), f"April 1980 has no day 0. {EXAMPLE}"),
        (born("1", "2", "2027"), f"Your date of birth cannot be in the future. {EXAMPLE}"),
        (born("1", "2", "1850"), EXAMPLE),
    ],
)
@time_machine.travel(dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC), tick=False)
def test_each_wrong_date_says_what_to_fix(typed, message):
    assert dob_errors(typed) == [message]


def test_a_leap_day_is_a_real_date():
    assert dob_errors(born("2", "29", "1980")) == []


@pytest.mark.django_db
def test_a_wrong_date_keeps_what_was_typed_saves_nothing_and_links_from_the_summary(client, new_patient):
    sign_in(client, new_patient)
    response = client.post(ABOUT_URL, {**ABOUT, **born("2", "30", "1980")})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"February 1980 has no day 30. {EXAMPLE}" in html
    assert 'href="#id_date_of_birth_0"' in html  # the error summary lands on the Month box
    assert 'name="date_of_birth_day" value="30"' in html
    assert 'class="row g-2 date-of-birth is-invalid"' in html
    assert not Patient.objects.filter(user=new_patient, date_of_birth__isnull=False).exists()


@pytest.mark.django_db
def test_the_intakes_age_limit_still_applies(client, new_patient):
    sign_in(client, new_patient)
    today = dt.date.today()
    response = client.post(
        ABOUT_URL, {**ABOUT, **born(str(today.month), str(min(today.day, 28)), str(today.year - 17))}
    )
    assert response.status_code == 200
    assert b"18 or older" in response.content


def test_one_iso_date_under_the_fields_own_name_still_reads():
    form = AboutForm(data={**ABOUT, "date_of_birth": "1980-05-17"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(1980, 5, 17)


def test_the_about_step_is_reachable():
    assert reverse("patients:intake_step", args=["about"]) == ABOUT_URL
