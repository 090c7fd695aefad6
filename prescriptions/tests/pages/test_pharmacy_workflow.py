"""The pharmacy's order page through the order's life: opening acknowledges, one primary step per
state, the checklist, the compounding record, shipping, the queue's search, the FHIR download."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from portal.models import AccessLog
from portal.tests.signin import sign_in
from prescriptions.models import CompoundingRecord, OrderEvent, OrderVerification, PrescriptionOrder
from prescriptions.tests.factories import CHECKLIST_DONE, advance, record_compounding


def next_step(html: str) -> str:
    start = html.index('id="actions-heading"')
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_opening_a_sent_order_acknowledges_it_once(client, pharmacy_user, sent_order):
    sign_in(client, pharmacy_user)
    response = client.get(f"/pharmacy/orders/{sent_order.pk}/")
    assert response.status_code == 200
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "received"
    assert "is acknowledged" in response.content.decode()
    client.get(f"/pharmacy/orders/{sent_order.pk}/")
    assert OrderEvent.objects.filter(order=sent_order, to_status="received").count() == 1


@pytest.mark.django_db
def test_a_physician_or_another_pharmacy_opening_the_order_does_not_acknowledge_it(
    client, physician, outsider_pharmacy_user, sent_order
):
    sign_in(client, physician)
    assert client.get(f"/clinic/orders/{sent_order.pk}/").status_code == 200
    sign_in(client, outsider_pharmacy_user)
    assert client.get(f"/pharmacy/orders/{sent_order.pk}/").status_code == 404
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "sent"


def _in(state, order, user):
    path = {
        "received": ["received"],
        "in_review": ["received", "in_review"],
        "needs_clarification": ["received", "in_review", "needs_clarification"],
        "compounding": ["received", "in_review", "compounding"],
        "compounding_recorded": ["received", "in_review", "compounding"],
        "shipped": ["received", "in_review", "compounding", "shipped"],
        "delivered": ["received", "in_review", "compounding", "shipped", "delivered"],
    }[state]
    order = advance(order, user, *path)
    if state == "compounding_recorded":
        record_compounding(order, user)
    return order


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "primary"),
    [
        ("received", "Start pharmacist review"),
        ("in_review", "Verified: start compounding"),
        ("needs_clarification", None),
        ("compounding", "Save the compounding record"),
        ("compounding_recorded", "Mark shipped"),
        ("shipped", "Mark delivered"),
        ("delivered", None),
    ],
)
def test_each_state_shows_exactly_one_primary_action(client, pharmacy_user, sent_order, state, primary):
    _in(state, sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    section = next_step(client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode())
    buttons = section.split('class="btn btn-primary">')
    if primary is None:
        assert len(buttons) == 1
    else:
        assert len(buttons) == 2 and buttons[1].startswith(primary), section


@pytest.mark.django_db
def test_the_checklist_shows_the_facts_beside_each_item(client, pharmacy_user, sent_order):
    _in("in_review", sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    section = next_step(client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode())
    order = PrescriptionOrder.objects.get(pk=sent_order.pk)
    for fact in (
        order.prescriber_name,
        order.prescriber_npi,
        order.content_hash,
        "matches the signed content",
        "Rosa Diaz",
        order.patient_dob.strftime("%b %-d, %Y"),
        "No known drug allergies",
        "1.0 mg/mL × 1.5 mL = 1.5 mg",
        'name="prescriber_confirmed"',
        'name="dose_confirmed"',
    ):
        assert fact in section, fact


@pytest.mark.django_db
def test_an_incomplete_checklist_shows_what_is_missing_and_starts_nothing(client, pharmacy_user, sent_order):
    _in("in_review", sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    checks = dict.fromkeys(["prescriber_confirmed", "patient_confirmed", "allergies_confirmed"], "on")
    response = client.post(f"/pharmacy/orders/{sent_order.pk}/verify/", checks)
    assert response.status_code == 200
    assert "Confirm the dose arithmetic before compounding." in response.content.decode()
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "in_review"
    assert not OrderVerification.objects.exists()
    response = client.post(f"/pharmacy/orders/{sent_order.pk}/verify/", dict.fromkeys(CHECKLIST_DONE, "on"))
    assert response.status_code == 302
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"
    again = client.post(f"/pharmacy/orders/{sent_order.pk}/verify/", dict.fromkeys(CHECKLIST_DONE, "on"), follow=True)
    assert "Only an order in pharmacist review" in again.content.decode()
    assert OrderVerification.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_compounding_record_keeps_what_was_typed_and_saves_nothing(client, pharmacy_user, sent_order):
    _in("compounding", sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    today = timezone.localdate()
    data = {
        "lot_number": "LOT-7781",
        "compounded_on": today.isoformat(),
        "beyond_use_date": (today + dt.timedelta(days=365)).isoformat(),
        "compounded_by": "J.M.",
        "checked_by": "K.L.",
    }
    url = f"/pharmacy/orders/{sent_order.pk}/compounding/"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "more than 180 days after compounding" in html
    assert 'value="LOT-7781"' in html
    assert not CompoundingRecord.objects.exists()
    data["beyond_use_date"] = (today + dt.timedelta(days=30)).isoformat()
    response = client.post(url, data | {"checked_by": "j.m."})
    assert "someone other than who compounded it" in response.content.decode()
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert "LOT-7781" in html and "Mark shipped" in html and "Correct the compounding record" in html
    assert CompoundingRecord.objects.get().recorded_by == pharmacy_user


@pytest.mark.django_db
def test_a_wrong_tracking_number_is_explained_on_the_shipping_form(client, pharmacy_user, sent_order):
    _in("compounding_recorded", sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    url = f"/pharmacy/orders/{sent_order.pk}/action/"
    response = client.post(url, {"to": "shipped", "carrier": "UPS", "tracking_number": "1Z123"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not a UPS tracking number" in html and "1Z followed by 16" in html and 'value="1Z123"' in html
    response = client.post(url, {"to": "shipped", "carrier": "Pigeon", "tracking_number": "1"})
    assert "Choose the carrier from the list" in response.content.decode()
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"
    client.post(url, {"to": "shipped", "carrier": "DHL", "tracking_number": "1234567890"})
    order = PrescriptionOrder.objects.get(pk=sent_order.pk)
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "DHL", "1234567890")


@pytest.mark.django_db
def test_the_queue_search_box_finds_orders_across_queues(client, pharmacy_user, sent_order):
    _in("shipped", sent_order, pharmacy_user)
    sign_in(client, pharmacy_user)
    response = client.get("/pharmacy/", {"q": "diaz"})
    assert [o.pk for o in response.context["rows"]] == [sent_order.pk]
    html = response.content.decode()
    assert 'for="queue-search"' in html and "Orders matching" in html
    assert "No order of this pharmacy matches" in client.get("/pharmacy/", {"q": "zzz"}).content.decode()


@pytest.mark.django_db
def test_the_fhir_medication_request_downloads_as_a_file_and_is_audited(
    client, pharmacy_user, outsider_pharmacy_user, physician, sent_order
):
    sign_in(client, pharmacy_user)
    AccessLog.objects.all().delete()
    response = client.get(f"/pharmacy/orders/{sent_order.pk}/medication-request.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == f'attachment; filename="{sent_order.number}-MedicationRequest.fhir.json"'
    assert json.loads(response.content)["resourceType"] == "MedicationRequest"
    assert AccessLog.objects.get(actor=pharmacy_user).action == "order.fhir"
    page = client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode()
    assert f'href="/pharmacy/orders/{sent_order.pk}/medication-request.json" download' in page
    sign_in(client, outsider_pharmacy_user)
    assert client.get(f"/pharmacy/orders/{sent_order.pk}/medication-request.json").status_code == 404
    sign_in(client, physician)
    assert client.get(f"/pharmacy/orders/{sent_order.pk}/medication-request.json").status_code == 403


@pytest.mark.django_db
def test_the_admin_shows_the_records_read_only(client, admin_user, pharmacy_user, sent_order):
    _in("compounding_recorded", sent_order, pharmacy_user)
    record = CompoundingRecord.objects.get()
    sign_in(client, admin_user)
    page = client.get(f"/admin/prescriptions/compoundingrecord/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/prescriptions/compoundingrecord/{record.pk}/change/", {}).status_code == 403
    assert client.get("/admin/prescriptions/compoundingrecord/add/").status_code == 403
    verification = OrderVerification.objects.get()
    assert client.get(f"/admin/prescriptions/orderverification/{verification.pk}/change/").status_code == 200
    assert client.post(f"/admin/prescriptions/orderverification/{verification.pk}/delete/").status_code == 403
