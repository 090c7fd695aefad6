"""Every page of plans, orders and the pharmacy: it answers its roles and refuses the others (403),
refuses wrong HTTP methods (405) and records outside the user's scope (404)."""

import pytest

from portal.tests.signin import sign_in
from prescriptions.models import PrescriptionOrder, RefillRequest
from prescriptions.orders import refills as refills
from prescriptions.tests.factories import make_draft
from prescriptions.tests.pages.helpers import SCOPED, VIEWS, fill


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), VIEWS)
def test_each_view_answers_its_roles_and_refuses_the_others(
    client, role_users, approved_patient, shipped, refill_request, method, path, allowed
):
    url = fill(path, approved_patient, shipped, refill_request)
    for role, user in role_users.items():
        sign_in(client, user)
        response = getattr(client, method)(url)
        if role in allowed:
            assert response.status_code in (200, 302), (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url)
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), VIEWS)
def test_each_view_refuses_the_wrong_http_method(
    client, role_users, approved_patient, shipped, refill_request, method, path, allowed
):
    url = fill(path, approved_patient, shipped, refill_request)
    sign_in(client, role_users[sorted(allowed)[0]])
    if path.endswith(("/plan/new/", "/orders/new/", "/edit/")):
        other = "delete"  # a form page: GET and POST only
    else:
        other = "post" if method == "get" else "get"
    assert getattr(client, other)(url).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "allowed"), SCOPED)
def test_records_outside_the_users_scope_are_404(
    client,
    approved_patient,
    shipped,
    refill_request,
    outsider_physician,
    outsider_pharmacy_user,
    other_patient,
    method,
    path,
    allowed,
):
    url = fill(path, approved_patient, shipped, refill_request)
    outsiders = {"physician": outsider_physician, "pharmacy": outsider_pharmacy_user, "patient": other_patient.user}
    for role in allowed:
        sign_in(client, outsiders[role])
        assert getattr(client, method)(url).status_code == 404, (role, url)
    assert PrescriptionOrder.objects.get(pk=shipped.pk).status == "shipped"
    assert RefillRequest.objects.get(pk=refill_request.pk).status == "pending"


@pytest.mark.django_db
def test_a_pharmacy_cannot_see_another_pharmacys_order_or_a_draft(
    client, plan, physician, shipped, outsider_pharmacy_user, pharmacy_user
):
    draft = make_draft(plan, physician)
    sign_in(client, outsider_pharmacy_user)
    assert client.get(f"/pharmacy/orders/{shipped.pk}/").status_code == 404
    assert shipped.number.encode() not in client.get("/pharmacy/?queue=shipped").content
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_patient_never_sees_another_patients_order_or_a_draft(
    client, plan, physician, shipped, other_patient, approved_patient
):
    draft = make_draft(plan, physician)
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/orders/{shipped.pk}/").status_code == 404
    assert shipped.number.encode() not in client.get("/patient/orders/").content
    sign_in(client, approved_patient.user)
    assert client.get(f"/patient/orders/{draft.pk}/").status_code == 404
