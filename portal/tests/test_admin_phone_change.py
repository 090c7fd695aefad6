"""A number is verified only by the code texted to it (README "Text messages"): a number changed
in the admin is not verified, so no reminder is texted to it until its owner proves it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from patients.tests.factories import PatientFactory
from portal.models import User
from portal.tests.factories import AdminFactory
from portal.tests.signin import sign_in


def _change_form(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "role": user.role,
        "npi": user.npi or "",
        "is_active": "on",
        "_save": "Save",
    }
    data.update(changes)
    return data


@pytest.fixture
def verified_patient_user(db):
    user = PatientFactory().user
    User.objects.filter(pk=user.pk).update(
        phone="+15125550100", phone_verified_at=timezone.now(), texts_stopped_by_reply=True
    )
    user.refresh_from_db()
    return user


@pytest.mark.django_db
def test_a_number_changed_in_the_admin_is_no_longer_verified(client, verified_patient_user):
    sign_in(client, AdminFactory())
    response = client.post(
        f"/admin/portal/user/{verified_patient_user.pk}/change/",
        _change_form(verified_patient_user, phone="+15125550199"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    verified_patient_user.refresh_from_db()
    assert verified_patient_user.phone == "+15125550199"
    assert verified_patient_user.phone_verified_at is None
    assert verified_patient_user.texts_stopped_by_reply is False


@pytest.mark.django_db
def test_other_admin_changes_keep_the_verified_number(client, verified_patient_user):
    sign_in(client, AdminFactory())
    response = client.post(
        f"/admin/portal/user/{verified_patient_user.pk}/change/",
        _change_form(verified_patient_user, first_name="Rosalind"),
    )
    assert response.status_code == 302
    verified_patient_user.refresh_from_db()
    assert verified_patient_user.first_name == "Rosalind" and verified_patient_user.phone_verified_at is not None
