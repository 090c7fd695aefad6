"""Odd numbers typed (or posted) in the date-of-birth boxes get a message, never an error page:
a day or month with too many digits, or characters that look like digits but are not."""

import pytest

from patients.intake.forms import AboutForm
from patients.models import Patient
from patients.tests.factories import ABOUT_DATA
from portal.tests.factories import UserFactory
from portal.tests.signin import sign_in

ABOUT = {k: v for k, v in ABOUT_DATA.items() if k != "date_of_birth"}


def born(month, day, year) -> dict:
    return {"date_of_birth_month": month, "date_of_birth_day": day, "date_of_birth_year": year}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "day", "year"),
    [
        ("4", "99999999999999999999", "1980"),
        ("99999999999999999999", "1", "1980"),
        ("\u00b2", "1", "1980"),  # superscript two: a "digit" that is not a number
        ("4", "\u2460", "1980"),  # circled one
    ],
)
def test_odd_numbers_are_refused_with_a_message(month, day, year):
    form = AboutForm(data={**ABOUT, **born(month, day, year)})
    assert not form.is_valid()
    assert form.errors["date_of_birth"]


@pytest.mark.django_db
def test_the_intake_page_answers_an_overlong_day_with_the_form(client):
    user = UserFactory()
    sign_in(client, user)
    response = client.post("/intake/about/", {**ABOUT, **born("4", "99999999999999999999", "1980")})
    assert response.status_code == 200
    assert not Patient.objects.filter(user=user, date_of_birth__isnull=False).exists()
