"""The pharmacy's verification checklist, compounding record, shipping carriers, acknowledgement
on opening, and the queue's search and "waiting since" (docs/domain.md "Verification and the
compounding record")."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from prescriptions.models import CompoundingRecord, OrderEvent, OrderVerification, PrescriptionOrder, TitrationStep
from prescriptions.orders import compounding
from prescriptions.orders import selectors as order_selectors
from prescriptions.orders import services as order_services
from prescriptions.orders.shipping import tracking_number_validate
from prescriptions.pharmacies import selectors as pharmacy_selectors
from prescriptions.tests.factories import (
    CHECKLIST_DONE,
    advance,
    make_draft,
    record_compounding,
    sign,
    verification_on_file,
)

# --- carriers and tracking numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "number", "stored"),
    [
        ("USPS", "9400 1118 9922 3345 6789 12", "9400111899223345678912"),
        ("USPS", "94001118992233456789", "94001118992233456789"),  # 20 digits
        ("USPS", "ea123456789us", "EA123456789US"),
        ("UPS", "1Z 999 AA1 01 2345 6784", "1Z999AA10123456784"),
        ("FedEx", "1234-5678-9012", "123456789012"),
        ("FedEx", "123456789012345", "123456789012345"),
        ("FedEx", "12345678901234567890", "12345678901234567890"),
        ("DHL", "1234567890", "1234567890"),
    ],
)
def test_each_carriers_tracking_numbers_are_accepted_and_normalized(carrier, number, stored):
    assert tracking_number_validate(carrier=carrier, tracking_number=number) == (carrier, stored)


@pytest.mark.parametrize(
    ("carrier", "number", "words"),
    [
        ("USPS", "9400 1000", "20 to 22 digits"),
        ("USPS", "EA123456789CA", "20 to 22 digits"),
        ("UPS", "1Z999AA1012345678", "1Z followed by 16"),  # 15 after 1Z
        ("UPS", "9400111899223345678912", "1Z followed by 16"),
        ("FedEx", "1234567890123", "12, 15 or 20 digits"),
        ("DHL", "123456789", "10 digits"),
        ("DHL", "1Z999AA10123456784", "10 digits"),
    ],
)
def test_a_tracking_number_of_the_wrong_shape_is_refused_naming_the_carriers_format(carrier, number, words):
    with pytest.raises(ValidationError) as refused:
        tracking_number_validate(carrier=carrier, tracking_number=number)
    message = refused.value.message_dict["tracking_number"][0]
    assert f"not a {'DHL Express' if carrier == 'DHL' else carrier} tracking number" in message and words in message


def test_a_carrier_outside_the_list_is_refused():
    with pytest.raises(ValidationError, match="Choose the carrier from the list"):
        tracking_number_validate(carrier="Pony Express", tracking_number="1234567890")


# --- acknowledging on opening --------------------------------------------------------------------


@pytest.mark.django_db
def test_acknowledging_is_idempotent_and_only_for_the_pharmacy(sent_order, pharmacy_user, physician):
    assert order_services.order_acknowledge(order=sent_order, actor=physician).status == "sent"
    order = order_services.order_acknowledge(order=sent_order, actor=pharmacy_user)
    assert order.status == "received"
    order_services.order_acknowledge(order=sent_order, actor=pharmacy_user)
    events = OrderEvent.objects.filter(order=sent_order, to_status="received")
    assert [(e.actor, e.note) for e in events] == [(pharmacy_user, "Acknowledged on opening the order.")]


@pytest.mark.django_db
def test_another_pharmacy_cannot_acknowledge(sent_order, outsider_pharmacy_user):
    with pytest.raises(PermissionDenied):
        order_services.order_acknowledge(order=sent_order, actor=outsider_pharmacy_user)
    assert PrescriptionOrder.objects.get(pk=sent_order.pk).status == "sent"


# --- the verification checklist ------------------------------------------------------------------


@pytest.fixture
def in_review(sent_order, pharmacy_user):
    return advance(sent_order, pharmacy_user, "received", "in_review")


@pytest.mark.django_db
def test_compounding_cannot_start_without_the_checklist(in_review, pharmacy_user):
    with pytest.raises(ValidationError, match="Complete the verification checklist"):
        order_services.order_transition(order=in_review, actor=pharmacy_user, to="compounding")
    assert PrescriptionOrder.objects.get(pk=in_review.pk).status == "in_review"


@pytest.mark.django_db
def test_the_checklist_records_what_was_checked_and_starts_compounding(in_review, pharmacy_user):
    verification = compounding.order_verify(order=in_review, pharmacist=pharmacy_user, **CHECKLIST_DONE)
    order = PrescriptionOrder.objects.get(pk=in_review.pk)
    assert order.status == "compounding"
    assert verification.content_hash == order.content_hash and verification.pharmacist == pharmacy_user
    # The standard plan's first supply: 1.5 mg and 3.0 mg for 7 days each, then 4.5 mg, at 1 mg/mL.
    assert verification.dose_check.splitlines() == [
        "1.0 mg/mL × 1.5 mL = 1.5 mg; ordered 1.5 mg, which matches a dose of the plan",
        "1.0 mg/mL × 3.0 mL = 3.0 mg; ordered 3.0 mg, which matches a dose of the plan",
        "1.0 mg/mL × 4.5 mL = 4.5 mg; ordered 4.5 mg, which matches a dose of the plan",
    ]
    assert OrderEvent.objects.filter(order=order, to_status="compounding", actor=pharmacy_user).exists()


@pytest.mark.django_db
def test_every_item_of_the_checklist_is_required_and_named(in_review, pharmacy_user):
    checks = {**CHECKLIST_DONE, "patient_confirmed": False, "dose_confirmed": False}
    with pytest.raises(ValidationError) as refused:
        compounding.order_verify(order=in_review, pharmacist=pharmacy_user, **checks)
    assert set(refused.value.message_dict) == {"patient_confirmed", "dose_confirmed"}
    assert "Confirm the patient's identity" in refused.value.message_dict["patient_confirmed"][0]
    assert not OrderVerification.objects.exists()
    assert PrescriptionOrder.objects.get(pk=in_review.pk).status == "in_review"


@pytest.mark.django_db
def test_a_dose_that_is_not_in_the_plan_is_refused(in_review, pharmacy_user):
    TitrationStep.objects.filter(plan=in_review.plan, dose_mg="3.0").update(dose_mg="2.0")
    order = order_selectors.order_get_for(pharmacy_user, in_review.pk)
    assert [c.ok for c in compounding.dose_checks(order)] == [True, False, True]
    assert "is NOT a dose of the plan" in compounding.dose_checks(order)[1].text
    with pytest.raises(ValidationError, match="does not match the plan"):
        compounding.order_verify(order=in_review, pharmacist=pharmacy_user, **CHECKLIST_DONE)
    assert not OrderVerification.objects.exists()


@pytest.mark.django_db
def test_a_capsule_order_shows_strength_times_capsules(approved_patient, physician, pharmacy_user, tx_pharmacy):
    from prescriptions.tests.factories import make_plan

    order = sign(make_draft(make_plan(approved_patient, physician, formulation="capsule"), physician), physician)
    order = order_selectors.order_get_for(pharmacy_user, order.pk)
    texts = [c.text for c in compounding.dose_checks(order)]
    assert texts[0] == "1.5 mg per capsule × 1 capsule = 1.5 mg; ordered 1.5 mg, which matches a dose of the plan"
    assert texts[1].startswith("1.5 mg per capsule × 2 capsules = 3.0 mg")


@pytest.mark.django_db
def test_an_order_whose_content_no_longer_matches_its_signature_is_not_verified(in_review, pharmacy_user):
    PrescriptionOrder.objects.filter(pk=in_review.pk).update(sig="Take 45 mL")
    with pytest.raises(ValidationError, match="does not match its signature"):
        compounding.order_verify(order=in_review, pharmacist=pharmacy_user, **CHECKLIST_DONE)


@pytest.mark.django_db
def test_a_verification_made_before_a_question_does_not_count_after_the_answer(in_review, pharmacy_user, physician):
    verification_on_file(in_review, pharmacy_user)
    advance(in_review, pharmacy_user, "needs_clarification")
    order_services.order_transition(order=in_review, actor=physician, to="in_review", note="Yes, 1 mg/mL.")
    with pytest.raises(ValidationError, match="Complete the verification checklist"):
        order_services.order_transition(order=in_review, actor=pharmacy_user, to="compounding")


@pytest.mark.django_db
def test_only_an_order_in_review_is_verified_and_only_by_its_pharmacy(
    sent_order, pharmacy_user, outsider_pharmacy_user
):
    with pytest.raises(ValidationError, match="Only an order in pharmacist review"):
        compounding.order_verify(order=sent_order, pharmacist=pharmacy_user, **CHECKLIST_DONE)
    advance(sent_order, pharmacy_user, "received", "in_review")
    with pytest.raises(PermissionDenied):
        compounding.order_verify(order=sent_order, pharmacist=outsider_pharmacy_user, **CHECKLIST_DONE)


# --- the compounding record ----------------------------------------------------------------------


@pytest.fixture
def compounding_order(in_review, pharmacy_user):
    return advance(in_review, pharmacy_user, "compounding")


@pytest.mark.django_db
def test_shipping_needs_the_compounding_record(compounding_order, pharmacy_user):
    ship = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    with pytest.raises(ValidationError, match="Record the compounding"):
        order_services.order_transition(order=compounding_order, actor=pharmacy_user, to="shipped", **ship)
    record_compounding(compounding_order, pharmacy_user)
    order = order_services.order_transition(order=compounding_order, actor=pharmacy_user, to="shipped", **ship)
    assert order.status == "shipped"


def _refusal(order, user, **kwargs):
    with pytest.raises(ValidationError) as refused:
        record_compounding(order, user, **kwargs)
    assert not CompoundingRecord.objects.exists()
    return refused.value.message_dict


@pytest.mark.django_db
def test_the_beyond_use_date_comes_after_compounding_and_within_180_days(compounding_order, pharmacy_user):
    today = timezone.localdate()
    assert (
        "must come after the compounding date"
        in _refusal(compounding_order, pharmacy_user, beyond_use_date=today)["beyond_use_date"][0]
    )
    too_far = _refusal(compounding_order, pharmacy_user, beyond_use_date=today + dt.timedelta(days=181))
    assert "more than 180 days after compounding" in too_far["beyond_use_date"][0]
    record = record_compounding(compounding_order, pharmacy_user, beyond_use_date=today + dt.timedelta(days=180))
    assert record.beyond_use_days == 180


@pytest.mark.django_db
def test_the_compounding_date_is_not_in_the_future_nor_before_signing(compounding_order, pharmacy_user):
    today = timezone.localdate()
    future = _refusal(compounding_order, pharmacy_user, compounded_on=today + dt.timedelta(days=1))
    assert "cannot be in the future" in future["compounded_on"][0]
    before = _refusal(compounding_order, pharmacy_user, compounded_on=today - dt.timedelta(days=3))
    assert "cannot be compounded before" in before["compounded_on"][0]


@pytest.mark.django_db
def test_the_checker_is_a_second_person(compounding_order, pharmacy_user):
    same = _refusal(compounding_order, pharmacy_user, compounded_by="Ana  Ruiz", checked_by="ana ruiz")
    assert "someone other than who compounded it" in same["checked_by"][0]
    assert "Enter who checked it" in _refusal(compounding_order, pharmacy_user, checked_by="  ")["checked_by"][0]


@pytest.mark.django_db
def test_a_lot_number_is_required_as_printed(compounding_order, pharmacy_user):
    assert "lot number" in _refusal(compounding_order, pharmacy_user, lot_number=" ")["lot_number"][0]
    assert "lot number" in _refusal(compounding_order, pharmacy_user, lot_number="<b>lot</b>")["lot_number"][0]


@pytest.mark.django_db
def test_a_record_is_never_edited_a_correction_is_a_new_row_with_its_reason(compounding_order, pharmacy_user):
    first = record_compounding(compounding_order, pharmacy_user, lot_number="L-1")
    with pytest.raises(ValidationError, match="say why this one corrects it"):
        record_compounding(compounding_order, pharmacy_user, lot_number="L-2")
    second = record_compounding(compounding_order, pharmacy_user, lot_number="L-2", correction_reason="Typo in lot")
    assert [r.pk for r in order_selectors.compounding_records_of(compounding_order)] == [second.pk, first.pk]
    first.refresh_from_db()
    assert first.lot_number == "L-1"


@pytest.mark.django_db
def test_no_record_before_compounding_starts(in_review, pharmacy_user):
    with pytest.raises(ValidationError, match="once compounding has started"):
        record_compounding(in_review, pharmacy_user)


# --- the queue: search and waiting since ---------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_search_finds_an_order_by_number_or_patient_name_in_the_pharmacy_only(
    sent_order, pharmacy_user, outsider_pharmacy_user
):
    pharmacy = pharmacy_selectors.pharmacy_for(pharmacy_user)
    for query in (sent_order.number, sent_order.number.lower(), str(sent_order.pk), "rosa", "DIAZ", "Rosa Diaz"):
        assert [o.pk for o in order_selectors.pharmacy_queue_search(pharmacy, query)] == [sent_order.pk], query
    assert list(order_selectors.pharmacy_queue_search(pharmacy, "Nobody")) == []
    assert list(order_selectors.pharmacy_queue_search(pharmacy, "")) == []
    other = pharmacy_selectors.pharmacy_for(outsider_pharmacy_user)
    assert list(order_selectors.pharmacy_queue_search(other, sent_order.number)) == []


@pytest.mark.django_db
def test_waiting_since_is_when_the_order_entered_its_status(sent_order, pharmacy_user):
    later = timezone.now() + dt.timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        order = advance(sent_order, pharmacy_user, "received")
    assert PrescriptionOrder.objects.get(pk=order.pk).status_changed_at == later
