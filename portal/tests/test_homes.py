"""Each role's home: it works for its role, answers 403 to the others, sends anonymous visitors to
the login page, and refuses methods it does not take."""

import pytest
from django.urls import reverse

from portal.tests.signin import sign_in

HOMES = {
    "patient": "/patient/",
    "physician": "/clinic/",
    "pharmacy": "/pharmacy/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("owner", HOMES)
@pytest.mark.parametrize("visitor", ["patient", "physician", "pharmacy", "admin"])
def test_home_answers_its_role_and_refuses_the_others(client, role_users, owner, visitor):
    sign_in(client, role_users[visitor])
    response = client.get(HOMES[owner])
    assert response.status_code == (200 if owner == visitor else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [*HOMES.values(), "/dashboard/", "/admin/"])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "target"),
    [("patient", "/patient/"), ("physician", "/clinic/"), ("pharmacy", "/pharmacy/"), ("admin", "/admin/")],
)
def test_dashboard_sends_each_role_home(client, role_users, role, target):
    sign_in(client, role_users[role])
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "physician", "pharmacy"])
def test_home_refuses_post(client, role_users, role):
    sign_in(client, role_users[role])
    assert client.post(HOMES[role]).status_code == 405


@pytest.mark.django_db
def test_clinic_home_lists_own_licenses_and_patient_count(client, physician, patient, other_patient):
    sign_in(client, physician)
    response = client.get("/clinic/")
    assert response.context["patient_count"] == 2
    assert b"TX" in response.content


@pytest.mark.django_db
def test_pharmacy_home_shows_only_own_pharmacy(client, pharmacy_user, outsider_pharmacy_user):
    sign_in(client, pharmacy_user)
    response = client.get("/pharmacy/")
    mine = pharmacy_user.pharmacy_membership.pharmacy
    theirs = outsider_pharmacy_user.pharmacy_membership.pharmacy
    assert response.context["pharmacy"] == mine
    assert theirs.name.encode() not in response.content


@pytest.mark.django_db
def test_pharmacy_user_without_membership_sees_a_clear_message(client):
    from portal.tests.factories import PharmacyUserFactory

    user = PharmacyUserFactory()
    sign_in(client, user)
    response = client.get("/pharmacy/")
    assert response.status_code == 200
    assert b"not linked to a pharmacy" in response.content


@pytest.mark.django_db
def test_landing_page_lists_active_states(client):
    from portal.models import ServiceState

    ServiceState.objects.filter(code="GA").update(active=False)
    response = client.get(reverse("landing"))
    assert response.status_code == 200
    served = response.content.decode().split('id="states-heading"')[1]
    assert "Texas" in served and "Georgia" not in served


@pytest.mark.django_db
def test_pages_load_bootstrap_from_our_own_static_files(client):
    body = client.get("/").content.decode()
    assert "/static/bootstrap/css/bootstrap.min.css" in body
    assert "cdn" not in body.lower()
