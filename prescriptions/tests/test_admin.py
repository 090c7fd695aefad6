"""The Django admin: plans with their steps, orders with their read-only history, filters."""

import pytest

from portal.tests.signin import sign_in
from prescriptions.models import PrescriptionOrder, TitrationPlan


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/prescriptions/titrationplan/",
        "/admin/prescriptions/titrationplan/?formulation__exact=oral_liquid",
        "/admin/prescriptions/prescriptionorder/",
        "/admin/prescriptions/prescriptionorder/?status__exact=shipped",
        "/admin/prescriptions/prescriptionorder/?pharmacy__id__exact=1",
        "/admin/prescriptions/prescriptionorder/?ship_to_state__exact=TX",
        "/admin/prescriptions/refillrequest/?status__exact=pending",
        "/admin/prescriptions/statedefaultpharmacy/",
        "/admin/prescriptions/pharmacylicense/?state__id__exact=1",
    ],
)
def test_admin_lists_and_filters_work(client, admin_user, sent_order, path):
    sign_in(client, admin_user)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_an_order_in_the_admin_shows_its_history_read_only(client, admin_user, sent_order):
    sign_in(client, admin_user)
    page = client.get(f"/admin/prescriptions/prescriptionorder/{sent_order.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Delivered to" in content and "Content matches its signature" in content
    assert 'name="status"' not in content  # status moves only through order_transition
    assert client.get("/admin/prescriptions/prescriptionorder/add/").status_code == 403
    before = PrescriptionOrder.objects.get(pk=sent_order.pk).quantity
    client.post(f"/admin/prescriptions/prescriptionorder/{sent_order.pk}/change/", {"quantity": "999"})
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).quantity == before


@pytest.mark.django_db
def test_a_plan_in_the_admin_shows_its_steps_and_events(client, admin_user, plan):
    sign_in(client, admin_user)
    content = client.get(f"/admin/prescriptions/titrationplan/{plan.pk}/change/").content.decode()
    assert "4.50" in content and "Plan started" in content
    assert client.get("/admin/prescriptions/titrationplan/add/").status_code == 403
    assert TitrationPlan.objects.count() == 1
