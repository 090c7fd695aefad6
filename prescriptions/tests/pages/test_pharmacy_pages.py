"""The pharmacy's workspace: its queues and tabs, one order's page, and the actions on it."""

from pathlib import Path

import pytest

from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import PrescriptionOrder
from prescriptions.orders import refills as refills
from prescriptions.orders import selectors as order_selectors
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.tests.factories import CHECKLIST_DONE, advance, make_draft, record_compounding, sign
from prescriptions.tests.pages.helpers import clone_orders, count_queries


@pytest.mark.django_db
def test_pharmacy_moves_an_order_to_shipped_and_shipping_needs_tracking(client, pharmacy_user, sent_order):
    sign_in(client, pharmacy_user)
    url = f"/pharmacy/orders/{sent_order.pk}/action/"
    for to in ("received", "in_review"):
        assert client.post(url, {"to": to}).status_code == 302
    # Compounding starts only from the checklist; shipping only after the compounding record.
    response = client.post(url, {"to": "compounding"}, follow=True)
    assert b"Complete the verification checklist" in response.content
    client.post(f"/pharmacy/orders/{sent_order.pk}/verify/", dict.fromkeys(CHECKLIST_DONE, "on"))
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"
    response = client.post(
        url, {"to": "shipped", "carrier": "UPS", "tracking_number": "1Z999AA10123456784"}, follow=True
    )
    assert b"Record the compounding" in response.content
    record_compounding(sent_order, pharmacy_user)
    response = client.post(url, {"to": "shipped", "carrier": "UPS"}, follow=True)
    assert b"carrier and the tracking number" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"
    client.post(url, {"to": "shipped", "carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    order = PrescriptionOrder.objects.get(pk=sent_order.pk)
    assert (order.status, order.tracking_number) == ("shipped", "1Z999AA10123456784")
    response = client.post(url, {"to": "teleported"}, follow=True)
    assert b"Choose one of the actions" in response.content
    response = client.post(url, {"to": "cancelled"}, follow=True)
    assert b"Choose one of the actions" in response.content  # not a pharmacy action


@pytest.mark.django_db
def test_pharmacy_order_page_has_everything_to_compound_and_ship_and_prints_on_one_page(
    client, pharmacy_user, sent_order
):
    sign_in(client, pharmacy_user)
    page = client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode()
    for text in (
        "Naltrexone hydrochloride, compounded",
        "1.0 mg/mL",
        sent_order.sig,
        "104 mL",
        "M79.7",
        "Rosa Diaz",
        "No known drug allergies",
        sent_order.prescriber_npi,
        sent_order.prescriber_license_number,
        "1 Congress Ave",
        'class="pharmacy-order-print"',
        "matches the signed content",
        "Start pharmacist review",  # opening the sent order acknowledged it
    ):
        assert text in page, text
    assert AccessLog.objects.filter(actor=pharmacy_user, action="order.view").exists()
    # the print layout lives in the portal's stylesheet (no inline style under the CSP)
    from django.contrib.staticfiles import finders

    assert ".pharmacy-order-print" in Path(finders.find("css/portal.css")).read_text().split("@media print")[-1]


@pytest.mark.django_db
def test_pharmacy_queue_lists_its_orders_by_queue_longest_waiting_first(
    client, pharmacy_user, plan, physician, tx_pharmacy
):
    orders = [sign(make_draft(plan, physician), physician) for _ in range(3)]
    advance(orders[0], pharmacy_user, "received", "in_review")
    advance(orders[1], pharmacy_user, "received")  # received after orders[2] was sent: it waits less
    sign_in(client, pharmacy_user)
    new = client.get("/pharmacy/")
    assert [o.pk for o in new.context["page"]] == [orders[2].pk, orders[1].pk]
    assert "Waiting since" in new.content.decode()
    assert {k: n for k, _, n in new.context["queues"]}["in_review"] == 1
    review = client.get("/pharmacy/?queue=in_review")
    assert [o.pk for o in review.context["page"]] == [orders[0].pk]
    assert client.get("/pharmacy/?queue=nonsense").context["queue"] == "new"


@pytest.mark.django_db
def test_pharmacy_queue_paginates(client, pharmacy_user, sent_order):
    clone_orders(sent_order, 30)
    sign_in(client, pharmacy_user)
    assert len(client.get("/pharmacy/").context["page"]) == 25
    second = client.get("/pharmacy/?queue=new&page=2")
    assert len(second.context["page"]) == 6
    html = second.content.decode()
    assert "Page 2<" in html and "page=1" in html and "page=3" not in html
    assert "No orders in this queue" in client.get("/pharmacy/?page=9").content.decode()
    assert len(client.get("/pharmacy/?page=oops").context["page"]) == 25
    assert len(client.get("/pharmacy/?page=-3").context["page"]) == 25
    huge = client.get("/pharmacy/?page=99999999999999999999999")
    assert huge.status_code == 200 and huge.context["page"].number == 100_000


@pytest.mark.django_db
def test_pharmacy_queue_tabs_count_up_to_a_cap(client, pharmacy_user, sent_order, outsider_pharmacy_user, monkeypatch):

    clone_orders(sent_order, 5)  # six orders in the "new" queue
    pharmacy = pharmacy_selectors.pharmacy_for(pharmacy_user)
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=4)["new"] == 5  # more than 4
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=6)["new"] == 6  # exactly 6
    assert order_selectors.pharmacy_queue_counts(pharmacy_selectors.pharmacy_for(outsider_pharmacy_user))["new"] == 0
    assert order_selectors.pharmacy_queue_counts(pharmacy, cap=10) == {
        "new": 6,
        "in_review": 0,
        "needs_clarification": 0,
        "compounding": 0,
        "shipped": 0,
        "closed": 0,
    }
    monkeypatch.setattr(order_selectors, "QUEUE_COUNT_CAP", 4)
    sign_in(client, pharmacy_user)
    html = client.get("/pharmacy/").content.decode()
    assert "4+<span" in html


@pytest.mark.django_db
def test_pharmacy_pages_do_not_query_more_with_more_orders(client, pharmacy_user, sent_order):
    sign_in(client, pharmacy_user)
    advance(sent_order, pharmacy_user, "received")  # opening a sent order acknowledges it: one time only
    clone_orders(sent_order, 9)
    small = [count_queries(client, p) for p in ("/pharmacy/", f"/pharmacy/orders/{sent_order.pk}/")]
    clone_orders(sent_order, 190)
    advance(sent_order, pharmacy_user, "in_review", "needs_clarification")
    large = [count_queries(client, p) for p in ("/pharmacy/", f"/pharmacy/orders/{sent_order.pk}/")]
    assert PrescriptionOrder.objects.count() == 200
    assert small == large
    assert max(large) <= 15
