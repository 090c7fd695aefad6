"""CSRF on every POST, and no deep link around sign-in or MFA."""

import pytest
from django.test import Client

from portal.tests.signin import sign_in
from tests.security.test_access_matrix import MATRIX, url_for

# Forms that are not about one object, with the role that uses them.
FORM_POSTS = {
    "/intake/about/": "patient",
    "/intake/pharmacy/": "patient",
    "/intake/summary/": "patient",
    "/patient/checkins/new/": "patient",
    "/patient/appointments/book/": "patient",
    "/patient/messages/": "patient",
    "/patient/profile/": "patient",
    "/patient/profile/move/": "patient",
    "/patient/profile/pharmacy/": "patient",
    "/patient/profile/notifications/": "patient",
    "/clinic/availability/": "physician",
    "/pharmacy/": "pharmacy",
}


@pytest.mark.django_db
def test_every_post_refuses_a_request_without_the_csrf_token(world):
    failures = []
    posts = dict(FORM_POSTS)
    for name, (owner, obj, _method) in MATRIX.items():
        role = owner.split("-")[0].split("+")[0]
        posts[url_for(name, world["objects"][obj])] = role
    for path, role in posts.items():
        client = Client(enforce_csrf_checks=True)
        sign_in(client, world["insiders"][role])
        status = client.post(path, {}).status_code
        if status not in (403, 405):
            failures.append(f"{path}: {status}")
    anonymous = Client(enforce_csrf_checks=True)
    if anonymous.post("/accounts/login/", {"login": "a@example.com", "password": "x"}).status_code != 403:
        failures.append("/accounts/login/ accepted a POST without the token")
    assert not failures, "POSTs accepted without a CSRF token:\n" + "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/clinic/patients/", "/pharmacy/", "/admin/portal/user/", "/fhir/MedicationRequest/1"]
)
def test_deep_links_cannot_skip_mfa_enrolment(path):
    from portal.tests.factories import AdminFactory, PharmacyUserFactory, PhysicianFactory

    for factory in (PhysicianFactory, PharmacyUserFactory, AdminFactory):
        client = Client()
        sign_in(client, factory(totp=False))
        response = client.get(path)
        assert response.status_code in (302, 403), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_deep_links_send_anonymous_visitors_to_sign_in_first():
    for path in ["/clinic/patients/1/", "/pharmacy/orders/1/", "/patient/messages/1/", "/fhir/MedicationRequest/1"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
