"""The physician's order pages: drafting with the arithmetic, signing, holding, answering the
pharmacy, cancelling, refills."""

from decimal import Decimal as D

import pytest

from portal.tests.factories import TEST_PASSWORD
from portal.tests.signin import sign_in
from prescriptions.dosing import Step
from prescriptions.models import PrescriptionOrder, RefillRequest
from prescriptions.orders import refills as refills
from prescriptions.orders import services as order_services
from prescriptions.tests.factories import advance, make_plan, sign


@pytest.mark.django_db
def test_physician_drafts_an_order_and_sees_the_arithmetic(client, physician, plan, approved_patient):
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/")
    assert page.context["form"].initial["indication_code"] == "M79.7"
    assert b'<datalist id="icd10-suggestions">' in page.content
    data = {
        **{k: v for k, v in page.context["form"].initial.items() if v is not None},
        "concentration_mg_per_ml": "1.0",
        "days_supply": "30",
        "refills": "1",
        "supply_start": approved_patient.today().isoformat(),
    }
    # a titration supply cannot be refilled as written: refused on the form, nothing saved
    refused = client.post(f"/clinic/patients/{approved_patient.pk}/orders/new/", data)
    assert "a titration order has no refills" in refused.content.decode()
    assert not PrescriptionOrder.objects.exists()
    response = client.post(f"/clinic/patients/{approved_patient.pk}/orders/new/", {**data, "refills": "0"})
    order = PrescriptionOrder.objects.get()
    assert response["Location"] == f"/clinic/orders/{order.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "16 days × 4.5 mL (4.5 mg) = 72.0 mL" in page
    assert "Total: 103.5 mL, rounded up to 104 mL to dispense" in page
    assert "Take 1.5 mL (1.5 mg) by mouth at bedtime for 7 days" in page


@pytest.mark.django_db
def test_a_bad_indication_code_shows_the_error_and_saves_nothing(client, physician, plan, approved_patient):
    sign_in(client, physician)
    data = {
        "concentration_mg_per_ml": "1.0",
        "supply_start": approved_patient.today().isoformat(),
        "days_supply": "30",
        "refills": "0",
        "indication_code": "MM79.7",
        "indication_text": "Fibromyalgia",
        **order_services.ship_to_from_patient(approved_patient),
    }
    response = client.post(f"/clinic/patients/{approved_patient.pk}/orders/new/", data)
    assert response.status_code == 200
    assert "is not an ICD-10-CM code" in response.content.decode()
    assert not PrescriptionOrder.objects.exists()


@pytest.mark.django_db
def test_an_order_cannot_be_drafted_without_a_plan(client, physician, approved_patient):
    sign_in(client, physician)
    response = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/", follow=True)
    assert b"Start a titration plan before drafting an order" in response.content


@pytest.mark.django_db
def test_physician_signs_with_the_password_and_the_order_goes_to_the_pharmacy(client, physician, draft, tx_pharmacy):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": "nope"}, follow=True)
    assert b"not right. The order was not signed" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "draft"
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {}, follow=True)
    assert b"Enter your password or the code" in response.content
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": TEST_PASSWORD}, follow=True)
    assert f"Signed and sent to {tx_pharmacy.name}".encode() in response.content
    assert b"matches the signed content" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "sent"


@pytest.mark.django_db
def test_a_signed_order_cannot_be_edited_from_the_page(client, physician, sent_order):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{sent_order.pk}/edit/", {"refills": 3}, follow=True)
    assert b"content is frozen" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).refills == 0


@pytest.mark.django_db
def test_editing_a_draft_recomputes_it(client, physician, draft):
    sign_in(client, physician)
    page = client.get(f"/clinic/orders/{draft.pk}/edit/")
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(days_supply="14", concentration_mg_per_ml="1.5")
    response = client.post(f"/clinic/orders/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.days_supply, draft.quantity) == (14, D("21"))


@pytest.mark.django_db
def test_pharmacy_question_and_physician_answer_round_trip(client, physician, pharmacy_user, sent_order):
    advance(sent_order, pharmacy_user, "received", "in_review")
    sign_in(client, pharmacy_user)
    client.post(f"/pharmacy/orders/{sent_order.pk}/action/", {"to": "needs_clarification", "note": "Flavoured?"})
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "needs_clarification"
    sign_in(client, physician)
    page = client.get(f"/clinic/orders/{sent_order.pk}/")
    assert b"The pharmacy asks" in page.content and b"Flavoured?" in page.content
    response = client.post(f"/clinic/orders/{sent_order.pk}/answer/", {"note": ""}, follow=True)
    assert b"Write your answer" in response.content
    client.post(f"/clinic/orders/{sent_order.pk}/answer/", {"note": "Unflavoured, please."})
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "in_review"
    sign_in(client, pharmacy_user)
    page = client.get(f"/pharmacy/orders/{sent_order.pk}/").content.decode()
    assert "Physician answered" in page and "Unflavoured, please." in page


@pytest.mark.django_db
def test_physician_cancels_before_compounding_only(client, physician, pharmacy_user, sent_order):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{sent_order.pk}/cancel/", {"note": ""}, follow=True)
    assert b"Say why the order is cancelled" in response.content
    advance(sent_order, pharmacy_user, "received", "in_review", "compounding")
    response = client.post(f"/clinic/orders/{sent_order.pk}/cancel/", {"note": "Stop"}, follow=True)
    assert b"cannot become cancelled" in response.content
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "compounding"


@pytest.mark.django_db
def test_physician_approves_a_refill_into_a_new_draft(client, physician, refill_request):
    sign_in(client, physician)
    listing = client.get("/clinic/orders/")
    assert refill_request in listing.context["refill_requests"]
    response = client.post(f"/clinic/refills/{refill_request.pk}/approve/")
    new_order = PrescriptionOrder.objects.get(status="draft")
    assert response["Location"] == f"/clinic/orders/{new_order.pk}/"
    response = client.post(f"/clinic/refills/{refill_request.pk}/approve/", follow=True)
    assert response.status_code == 404  # answered requests leave the physician's queue


@pytest.mark.django_db
def test_declining_a_refill_needs_a_reason(client, physician, refill_request):
    sign_in(client, physician)
    response = client.post(f"/clinic/refills/{refill_request.pk}/decline/", {"note": ""}, follow=True)
    assert b"Say why" in response.content
    assert RefillRequest.objects.get().status == "pending"


@pytest.mark.django_db
def test_a_capsule_plan_no_strength_fits_says_so(client, physician, approved_patient):
    steps = [Step(D("0.5"), 7), Step(D("4.5"), None)]  # 4.5 mg would be nine 0.5 mg capsules
    make_plan(approved_patient, physician, template="custom", steps=steps, formulation="capsule")
    sign_in(client, physician)
    page = client.get(f"/clinic/patients/{approved_patient.pk}/orders/new/")
    assert b"No single capsule strength gives every dose" in page.content


@pytest.mark.django_db
def test_a_held_order_is_signed_but_reaches_the_pharmacy_only_when_sent(
    client, physician, pharmacy_user, draft, tx_pharmacy
):
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": TEST_PASSWORD, "hold": "on"}, follow=True)
    assert b"Signed and held" in response.content and b"Send to the pharmacy now" in response.content
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "signed"
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 404
    sign_in(client, physician)
    client.post(f"/clinic/orders/{draft.pk}/send/")
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "sent"
    sign_in(client, pharmacy_user)
    assert client.get(f"/pharmacy/orders/{draft.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_draft_shows_allergies_medicines_and_the_pharmacy_with_why_before_signing(
    client, physician, draft, tx_pharmacy
):
    from patients.models import Intake

    Intake.objects.filter(patient=draft.patient).update(
        no_known_allergies=False, allergies="Penicillin (hives)", other_medications="Duloxetine 30 mg"
    )
    sign_in(client, physician)
    page = client.get(f"/clinic/orders/{draft.pk}/").content.decode()
    before_sign = page[page.index("Before you sign") : page.index("Sign the order")]
    assert "Penicillin (hives)" in before_sign and "Duloxetine 30 mg" in before_sign
    assert tx_pharmacy.name in before_sign and "the practice&#x27;s default for Texas" in before_sign
    signed = sign(draft, physician)
    assert signed.patient_medications == "Duloxetine 30 mg"
    sign_in(client, tx_pharmacy.memberships.get().user)
    assert "Duloxetine 30 mg" in client.get(f"/pharmacy/orders/{signed.pk}/").content.decode()


@pytest.mark.django_db
def test_signing_an_order_before_the_washout_ends_is_refused_on_the_page(client, physician, draft, tx_pharmacy):
    import datetime as dt

    from patients.models import Intake

    until = draft.supply_start + dt.timedelta(days=3)
    Intake.objects.filter(patient=draft.patient).update(deferred_until=until)
    sign_in(client, physician)
    response = client.post(f"/clinic/orders/{draft.pk}/sign/", {"password": TEST_PASSWORD}, follow=True)
    assert f"The opioid washout lasts until {until:%B %-d, %Y}" in response.content.decode()
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "draft"
