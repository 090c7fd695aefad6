"""Order services: drafting arithmetic, signing (re-authentication, licensure, routing, freezing),
every transition per role, notifications and refills."""

import datetime as dt
import time
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.exceptions import PermissionDenied, ValidationError

from patients.models import Intake
from patients.tests.factories import PatientFactory
from portal.models import PhysicianLicense, ServiceState
from portal.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    PharmacyUserFactory,
    PhysicianLicenseFactory,
    state,
)
from prescriptions.models import (
    OrderEvent,
    PharmacyPreference,
    PrescriptionOrder,
    RefillRequest,
    StateDefaultPharmacy,
)
from prescriptions.orders import refills as refills
from prescriptions.orders import services as order_services
from prescriptions.orders.services import TRANSITIONS
from prescriptions.pharmacies import services as pharmacy_services
from prescriptions.tests.factories import (
    PharmacyLicenseFactory,
    PharmacyMembershipFactory,
    advance,
    approve_intake,
    make_draft,
    make_plan,
    record_compounding,
    sign,
    verification_on_file,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


# --- drafting ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_liquid_draft_computes_quantity_days_supply_and_sig_from_the_plan(plan, physician):
    order = make_draft(plan, physician)
    assert (order.status, order.formulation, order.concentration_mg_per_ml) == ("draft", "oral_liquid", D("1.0"))
    assert (order.days_supply, order.quantity, order.quantity_unit) == (30, D("104"), "mL")
    assert order.sig.startswith("Take 1.5 mL (1.5 mg) by mouth at bedtime for 7 days, then take 3.0 mL")
    assert order.ship_to_state == "TX" and order.ship_to_line1 == "1 Congress Ave"
    assert [s["dose_mg"] for s in order.dose_segments] == ["1.5", "3.0", "4.5"]
    assert order_services.order_quantity(order).explanation()[-1] == "Total: 103.5 mL, rounded up to 104 mL to dispense"


@pytest.mark.django_db
def test_a_capsule_draft_counts_whole_capsules(approved_patient, physician):
    plan = make_plan(approved_patient, physician, formulation="capsule")
    order = make_draft(plan, physician, capsule_strength_mg=D("1.5"))
    assert (order.quantity, order.quantity_unit, order.filler) == (D("69"), "capsules", "microcrystalline_cellulose")
    assert order.sig.startswith("Take 1 capsule (1.5 mg) by mouth at bedtime for 7 days, then take 2 capsules")
    with pytest.raises(ValidationError, match="not a whole number of 2.0 mg capsules"):
        order_services.order_draft_update(order=order, physician=physician, capsule_strength_mg=D("2.0"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filler", "message"),
    [("calcium_carbonate", "Calcium carbonate is not used"), ("slow_release", "Slow-release fillers are not used")],
)
def test_calcium_carbonate_and_slow_release_fillers_are_refused(approved_patient, physician, filler, message):
    plan = make_plan(approved_patient, physician, formulation="capsule")
    with pytest.raises(ValidationError, match=message):
        make_draft(plan, physician, filler=filler)
    assert not PrescriptionOrder.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"indication_code": "fibro"}, "indication_code"),
        ({"indication_code": "M797"}, "indication_code"),
        ({"days_supply": 6}, "days_supply"),
        ({"days_supply": 91}, "days_supply"),
        ({"refills": 6}, "refills"),
        ({"concentration_mg_per_ml": D("6")}, "concentration_mg_per_ml"),
        ({"concentration_mg_per_ml": D("0.7")}, "concentration_mg_per_ml"),
        ({"ship_to": {"ship_to_state": "NV"}}, "ship_to_state"),
        ({"ship_to": {"ship_to_line1": ""}}, "ship_to_line1"),
    ],
)
def test_draft_refusals_name_the_field(plan, physician, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        make_draft(plan, physician, **kwargs)
    assert field in exc.value.message_dict
    assert not PrescriptionOrder.objects.exists()


@pytest.mark.django_db
def test_icd10_codes_are_normalised_and_validated(plan, physician):
    assert make_draft(plan, physician, indication_code=" g90.511 ").indication_code == "G90.511"
    assert make_draft(plan, physician, indication_code="U09.9").indication_code == "U09.9"


# --- signing -------------------------------------------------------------------------------------


def current_totp() -> str:
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


@pytest.mark.django_db
def test_signing_freezes_the_content_routes_and_sends(draft, physician, tx_pharmacy, approved_patient):
    order = sign(draft, physician)
    order.refresh_from_db()
    assert (order.status, order.pharmacy) == ("sent", tx_pharmacy)
    assert len(order.content_hash) == 64 and order_services.order_content_intact(order)
    assert order.prescriber_npi == physician.npi
    assert order.prescriber_license_number == physician.licenses.get().number
    assert order.prescriber_license_state == "TX"
    assert (order.patient_name, order.patient_dob) == ("Rosa Diaz", dt.date(1980, 5, 17))
    assert order.patient_allergies == "No known drug allergies"
    assert "Austin, TX 78701" in order.patient_address
    events = list(order.events.values_list("from_status", "to_status", "actor"))
    assert events == [("draft", "signed", physician.pk), ("signed", "sent", physician.pk)]


@pytest.mark.django_db
def test_signing_with_a_current_totp_code_works_and_a_reused_code_does_not(plan, physician, tx_pharmacy):
    code = current_totp()
    first = order_services.order_sign(order=make_draft(plan, physician), physician=physician, otp_code=code)
    assert first.status == "sent"
    second = make_draft(plan, physician)
    with pytest.raises(ValidationError, match="not right"):
        order_services.order_sign(order=second, physician=physician, otp_code=code)
    assert PrescriptionOrder.objects.get(pk=second.pk).status == "draft"


@pytest.mark.django_db
def test_signing_refuses_a_wrong_password_or_none_and_saves_nothing(draft, physician, tx_pharmacy):
    with pytest.raises(ValidationError, match="not right"):
        order_services.order_sign(order=draft, physician=physician, password="wrong")
    with pytest.raises(ValidationError, match="Enter your password or the code"):
        order_services.order_sign(order=draft, physician=physician)
    draft.refresh_from_db()
    assert (draft.status, draft.content_hash, draft.pharmacy) == ("draft", "", None)
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_five_wrong_attempts_lock_signing_for_a_while(draft, physician, tx_pharmacy):
    for _ in range(5):
        with pytest.raises(ValidationError):
            order_services.order_sign(order=draft, physician=physician, password="wrong")
    with pytest.raises(ValidationError, match="Too many wrong"):
        order_services.order_sign(order=draft, physician=physician, password=TEST_PASSWORD)


@pytest.mark.django_db
def test_a_signed_order_is_frozen_and_tampering_is_detected(sent_order, physician):
    with pytest.raises(ValidationError, match="content is frozen"):
        order_services.order_draft_update(order=sent_order, physician=physician, refills=2)
    with pytest.raises(ValidationError, match="already signed"):
        sign(sent_order, physician)
    PrescriptionOrder.objects.filter(pk=sent_order.pk).update(quantity=D("500"))
    assert not order_services.order_content_intact(PrescriptionOrder.objects.get(pk=sent_order.pk))


@pytest.mark.django_db
def test_the_hash_covers_the_canonical_content(sent_order):
    order = PrescriptionOrder.objects.get(pk=sent_order.pk)
    content = order_services.order_content(order)
    assert content["quantity"] == "104.00" and content["pharmacy"] == order.pharmacy_id
    assert content["prescriber"]["npi"] == order.prescriber_npi
    assert order_services.order_content_hash(order) == order.content_hash
    order.status, order.tracking_number = "shipped", "1Z999"
    assert order_services.order_content_hash(order) == order.content_hash  # status is not content


@pytest.mark.django_db
def test_a_draft_of_a_replaced_plan_cannot_be_signed(draft, physician, approved_patient, tx_pharmacy):
    make_plan(approved_patient, physician, template="sensitive")
    with pytest.raises(ValidationError, match="plan version has been replaced"):
        sign(draft, physician)


@pytest.mark.django_db
def test_a_prescriber_without_an_npi_cannot_sign(draft, physician, tx_pharmacy):
    physician.npi = ""
    physician.save()
    with pytest.raises(ValidationError, match="NPI is not on file"):
        sign(draft, physician)


@pytest.mark.django_db
def test_the_supply_cannot_start_in_the_past_at_signing(draft, physician, tx_pharmacy):
    PrescriptionOrder.objects.filter(pk=draft.pk).update(supply_start=draft.supply_start - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="which has passed"):
        sign(draft, physician)


@pytest.mark.django_db
def test_an_order_whose_first_dose_precedes_the_washout_is_refused_at_signing(draft, physician, tx_pharmacy):
    # A deferral recorded after the draft was written (staff learned of a recent opioid dose).
    until = draft.supply_start + dt.timedelta(days=3)
    Intake.objects.filter(patient=draft.patient).update(deferred_until=until)
    with pytest.raises(ValidationError) as exc:
        sign(draft, physician)
    assert f"{until:%B %-d, %Y}" in exc.value.message_dict["supply_start"][0]
    assert PrescriptionOrder.objects.get(pk=draft.pk).status == "draft"


def _at(day: dt.date, hour: int = 12, tz=CHICAGO):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=tz), tick=False)


@pytest.mark.django_db
def test_the_prescriber_license_counts_on_its_expiry_day_and_not_the_day_after(draft, physician, tx_pharmacy):
    expiry = draft.patient.today() + dt.timedelta(days=2)
    PhysicianLicense.objects.filter(physician=physician).update(expires_on=expiry)
    PrescriptionOrder.objects.filter(pk=draft.pk).update(supply_start=expiry)
    with _at(expiry):
        assert sign(draft, physician).status == "sent"
    second = make_draft(PrescriptionOrder.objects.get(pk=draft.pk).plan, physician)
    with _at(expiry + dt.timedelta(days=1)), pytest.raises(ValidationError, match="no license active today"):
        sign(second, physician)
    assert PrescriptionOrder.objects.get(pk=second.pk).status == "draft"


@pytest.mark.django_db
def test_the_signing_day_is_the_patients_own_date(physician, pharmacy_user):
    """At 23:30 in Chicago on the expiry day it is already the next day in Florida: the Florida
    license no longer counts there, so the order is refused with the reason."""
    PhysicianLicenseFactory(physician=physician, state=state("FL"))
    fl_patient = PatientFactory(state=state("FL"), timezone="America/New_York")
    approve_intake(fl_patient, physician, about={"state_code": "FL", "city": "Tampa", "postal_code": "33602"})
    fl_patient.refresh_from_db()
    PharmacyLicenseFactory(pharmacy=pharmacy_user.pharmacy_membership.pharmacy, state=state("FL"))
    StateDefaultPharmacy.objects.create(state=state("FL"), pharmacy=pharmacy_user.pharmacy_membership.pharmacy)
    order = make_draft(make_plan(fl_patient, physician), physician)
    expiry = fl_patient.today() + dt.timedelta(days=3)
    PhysicianLicense.objects.filter(physician=physician, state__code="FL").update(expires_on=expiry)
    PrescriptionOrder.objects.filter(pk=order.pk).update(supply_start=expiry + dt.timedelta(days=1))
    with _at(expiry, hour=23), pytest.raises(ValidationError, match="no license active today .* in Florida"):
        sign(order, physician)
    PhysicianLicense.objects.filter(physician=physician, state__code="FL").update(
        expires_on=expiry + dt.timedelta(days=1)
    )
    with _at(expiry, hour=23):
        assert sign(order, physician).status == "sent"


# --- routing -------------------------------------------------------------------------------------


@pytest.fixture
def preferred(approved_patient):
    membership = PharmacyMembershipFactory()
    PharmacyPreference.objects.create(patient=approved_patient, pharmacy=membership.pharmacy)
    return membership.pharmacy


@pytest.mark.django_db
def test_routing_prefers_the_patients_pharmacy_when_licensed_for_the_ship_to_state(
    approved_patient, preferred, tx_pharmacy
):
    PharmacyLicenseFactory(pharmacy=preferred, state=state("TX"))
    day = approved_patient.today()
    assert pharmacy_services.pharmacy_route(patient=approved_patient, ship_to_state="TX", day=day) == preferred


@pytest.mark.django_db
def test_routing_falls_back_to_the_default_pharmacy_when_the_preferred_one_is_not_licensed(
    approved_patient, preferred, tx_pharmacy
):
    PharmacyLicenseFactory(pharmacy=preferred, state=state("TX"), expires_on=dt.date.today() - dt.timedelta(days=2))
    day = approved_patient.today()
    assert pharmacy_services.pharmacy_route(patient=approved_patient, ship_to_state="TX", day=day) == tx_pharmacy


@pytest.mark.django_db
def test_routing_refuses_and_names_the_problems_when_no_pharmacy_is_licensed(approved_patient, preferred, tx_pharmacy):
    tx_pharmacy.licenses.update(expires_on=dt.date.today() - dt.timedelta(days=2))
    day = approved_patient.today()
    with pytest.raises(ValidationError) as exc:
        pharmacy_services.pharmacy_route(patient=approved_patient, ship_to_state="TX", day=day)
    text = exc.value.messages[0]
    assert f"preferred pharmacy, {preferred.name}, has no active license for Texas" in text
    assert f"default pharmacy for Texas, {tx_pharmacy.name}, has no active license there" in text


@pytest.mark.django_db
def test_routing_refuses_without_a_default_pharmacy_and_for_unserved_states(approved_patient):
    day = approved_patient.today()
    with pytest.raises(ValidationError, match="no default pharmacy for Texas"):
        pharmacy_services.pharmacy_route(patient=approved_patient, ship_to_state="TX", day=day)
    ServiceState.objects.filter(code="GA").update(active=False)
    with pytest.raises(ValidationError, match="does not serve Georgia"):
        pharmacy_services.pharmacy_route(patient=approved_patient, ship_to_state="GA", day=day)


@pytest.mark.django_db
def test_signing_without_a_routable_pharmacy_is_refused_and_nothing_is_frozen(draft, physician):
    with pytest.raises(ValidationError, match="No pharmacy can fill this order"):
        sign(draft, physician)
    draft.refresh_from_db()
    assert (draft.status, draft.content_hash, draft.pharmacy_id) == ("draft", "", None)


@pytest.mark.django_db
def test_a_ship_to_state_that_stopped_being_served_is_refused_at_signing(draft, physician, tx_pharmacy):
    ServiceState.objects.filter(code="TX").update(active=False)
    with pytest.raises(ValidationError, match="does not serve Texas"):
        sign(draft, physician)


# --- transitions ---------------------------------------------------------------------------------

ALL = [s for s, _ in PrescriptionOrder._meta.get_field("status").choices]
PATH = {
    "sent": [],
    "received": ["received"],
    "in_review": ["received", "in_review"],
    "needs_clarification": ["received", "in_review", "needs_clarification"],
    "compounding": ["received", "in_review", "compounding"],
    "shipped": ["received", "in_review", "compounding", "shipped"],
    "delivered": ["received", "in_review", "compounding", "shipped", "delivered"],
}


def order_in(status, sent_order, pharmacy_user):
    return advance(sent_order, pharmacy_user, *PATH[status])


def actor_for(role, physician, pharmacy_user):
    return {"physician": physician, "pharmacy": pharmacy_user}[role]


TRANSITION_CASES = [(frm, to, role) for (frm, to), role in TRANSITIONS.items() if frm in PATH]


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to", "role"), TRANSITION_CASES)
def test_every_allowed_transition_works_for_its_role_and_is_an_event(
    sent_order, physician, pharmacy_user, frm, to, role
):
    order = order_in(frm, sent_order, pharmacy_user)
    if to == "compounding":
        verification_on_file(order, pharmacy_user)
    if to == "shipped":
        record_compounding(order, pharmacy_user)
    before = OrderEvent.objects.count()
    extra = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"} if to == "shipped" else {}
    result = order_services.order_transition(
        order=order, actor=actor_for(role, physician, pharmacy_user), to=to, note="Because", **extra
    )
    assert result.status == to
    event = OrderEvent.objects.latest("id")
    assert OrderEvent.objects.count() == before + 1
    assert (event.from_status, event.to_status, event.actor_role, event.note) == (frm, to, role, "Because")


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to", "role"), TRANSITION_CASES)
def test_every_transition_is_refused_to_the_other_role(sent_order, physician, pharmacy_user, frm, to, role):
    order = order_in(frm, sent_order, pharmacy_user)
    other = actor_for("pharmacy" if role == "physician" else "physician", physician, pharmacy_user)
    with pytest.raises(PermissionDenied, match="Only"):
        order_services.order_transition(order=order, actor=other, to=to, note="x", carrier="UPS", tracking_number="1")
    assert PrescriptionOrder.objects.get(pk=order.pk).status == frm


REFUSED_FROM_STATE = [
    (frm, to) for frm in PATH for to in ALL if (frm, to) not in TRANSITIONS and frm != to and to != "draft"
]


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), REFUSED_FROM_STATE)
def test_transitions_not_allowed_from_the_current_state_are_refused(sent_order, physician, pharmacy_user, frm, to):
    order = order_in(frm, sent_order, pharmacy_user)
    before = OrderEvent.objects.count()
    for actor in (physician, pharmacy_user):
        with pytest.raises(ValidationError, match=r"An order that is .* cannot become"):
            order_services.order_transition(
                order=order, actor=actor, to=to, note="x", carrier="UPS", tracking_number="1"
            )
    assert PrescriptionOrder.objects.get(pk=order.pk).status == frm
    assert OrderEvent.objects.count() == before


@pytest.mark.django_db
def test_a_draft_cannot_be_marked_signed_without_signing(draft, physician):
    with pytest.raises(ValidationError, match="only through signing"):
        order_services.order_transition(order=draft, actor=physician, to="signed")


@pytest.mark.django_db
def test_a_physician_cancels_a_draft_without_a_reason_but_a_sent_order_needs_one(draft, physician, plan, tx_pharmacy):
    assert order_services.order_transition(order=draft, actor=physician, to="cancelled").status == "cancelled"
    sent = sign(make_draft(plan, physician), physician)
    with pytest.raises(ValidationError, match="Say why the order is cancelled"):
        order_services.order_transition(order=sent, actor=physician, to="cancelled")
    assert order_services.order_transition(order=sent, actor=physician, to="cancelled", note="Wrong dose").status == (
        "cancelled"
    )


@pytest.mark.django_db
def test_questions_answers_and_rejections_need_their_text(sent_order, physician, pharmacy_user):
    order = advance(sent_order, pharmacy_user, "received", "in_review")
    with pytest.raises(ValidationError, match="Write the question"):
        order_services.order_transition(order=order, actor=pharmacy_user, to="needs_clarification")
    with pytest.raises(ValidationError, match="Say why the order is rejected"):
        order_services.order_transition(order=order, actor=pharmacy_user, to="rejected", note="  ")
    order_services.order_transition(order=order, actor=pharmacy_user, to="needs_clarification", note="1 mg/mL ok?")
    with pytest.raises(ValidationError, match="Write your answer"):
        order_services.order_transition(order=order, actor=physician, to="in_review")
    order_services.order_transition(order=order, actor=physician, to="in_review", note="Yes, 1 mg/mL.")
    notes = list(OrderEvent.objects.filter(order=order).values_list("to_status", "note"))[-2:]
    assert notes == [("needs_clarification", "1 mg/mL ok?"), ("in_review", "Yes, 1 mg/mL.")]


@pytest.mark.django_db
def test_shipping_needs_a_carrier_and_a_tracking_number(sent_order, pharmacy_user):
    order = advance(sent_order, pharmacy_user, "received", "in_review", "compounding")
    record_compounding(order, pharmacy_user)
    with pytest.raises(ValidationError, match="carrier and the tracking number"):
        order_services.order_transition(order=order, actor=pharmacy_user, to="shipped", carrier="USPS")
    with pytest.raises(ValidationError, match="not a USPS tracking number"):
        order_services.order_transition(
            order=order, actor=pharmacy_user, to="shipped", carrier="USPS", tracking_number="9400 1000"
        )
    order = order_services.order_transition(
        order=order, actor=pharmacy_user, to="shipped", carrier="USPS", tracking_number="9400 1000 0000 0000 0000 01"
    )
    assert (order.carrier, order.tracking_number) == ("USPS", "9400100000000000000001")


@pytest.mark.django_db
def test_another_pharmacy_cannot_act_on_the_order(sent_order, outsider_pharmacy_user):
    with pytest.raises(PermissionDenied, match="not sent to your pharmacy"):
        order_services.order_transition(order=sent_order, actor=outsider_pharmacy_user, to="received")
    unassigned = PharmacyUserFactory()
    with pytest.raises(PermissionDenied):
        order_services.order_transition(order=sent_order, actor=unassigned, to="received")


@pytest.mark.django_db
def test_a_physician_outside_the_patients_state_cannot_act(sent_order, outsider_physician):
    with pytest.raises(PermissionDenied, match="active license in the patient's state"):
        order_services.order_transition(order=sent_order, actor=outsider_physician, to="cancelled", note="x")


@pytest.fixture
def notified(monkeypatch):
    """The user ids (and time zones) portal_update_notify was called with. What it sends is the
    reminder engine's business; here we check who is told, and that only an id goes."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr("prescriptions.orders.services.portal_update_notify", record)
    return calls


@pytest.mark.django_db
def test_the_patient_is_told_of_the_steps_of_their_timeline(draft, physician, pharmacy_user, tx_pharmacy, notified):
    order = sign(draft, physician)
    advance(order, pharmacy_user, "received", "in_review", "compounding", "shipped", "delivered")
    patient_user = order.patient.user_id
    # sent, compounding, shipped, delivered; not the pharmacy's internal steps
    assert notified == [{"user_id": patient_user, "time_zone": "America/Chicago"}] * 4


@pytest.mark.django_db
def test_the_prescriber_is_told_of_a_pharmacy_question_and_a_rejection(sent_order, physician, pharmacy_user, notified):
    advance(sent_order, pharmacy_user, "received", "in_review", "needs_clarification")
    assert [c["user_id"] for c in notified] == [physician.pk]
    order_services.order_transition(order=sent_order, actor=pharmacy_user, to="rejected", note="Out of stock")
    assert [c["user_id"] for c in notified] == [physician.pk, sent_order.patient.user_id, physician.pk]


@pytest.mark.django_db
def test_cancelling_a_draft_tells_nobody(draft, physician, notified):
    order_services.order_transition(order=draft, actor=physician, to="cancelled")
    assert notified == []


# --- refills -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patient_requests_a_refill_once_shipped_and_a_physician_approves_it_into_a_new_draft(
    sent_order, physician, pharmacy_user, approved_patient
):
    with pytest.raises(ValidationError, match="once this order has shipped"):
        refills.refill_request_create(order=sent_order, patient=approved_patient)
    order = advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    request = refills.refill_request_create(order=order, patient=approved_patient, note="Running low")
    with pytest.raises(ValidationError, match="already asked"):
        refills.refill_request_create(order=order, patient=approved_patient)
    new_order = refills.refill_request_approve(refill_request=request, physician=physician)
    request.refresh_from_db()
    assert (request.status, request.new_order, request.decided_by) == ("approved", new_order, physician)
    assert (new_order.status, new_order.refill_of_id, new_order.indication_code) == ("draft", order.pk, "M79.7")
    # The new supply starts when the old one runs out: all maintenance by then.
    assert new_order.supply_start == order.supply_ends_on + dt.timedelta(days=1)
    assert new_order.sig == "Take 4.5 mL (4.5 mg) by mouth at bedtime every day."
    assert (new_order.quantity, new_order.days_supply) == (D("135"), 30)
    with pytest.raises(ValidationError, match="already been answered"):
        refills.refill_request_approve(refill_request=request, physician=physician)
    assert sign(new_order, physician).status == "sent"


@pytest.mark.django_db
def test_refill_requests_are_the_patients_own_and_declines_need_a_reason(
    sent_order, physician, pharmacy_user, approved_patient, other_patient, outsider_physician
):
    order = advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    with pytest.raises(PermissionDenied):
        refills.refill_request_create(order=order, patient=other_patient)
    request = refills.refill_request_create(order=order, patient=approved_patient)
    with pytest.raises(PermissionDenied):
        refills.refill_request_decline(refill_request=request, physician=outsider_physician, note="no")
    with pytest.raises(ValidationError, match="Say why"):
        refills.refill_request_decline(refill_request=request, physician=physician, note="")
    refills.refill_request_decline(refill_request=request, physician=physician, note="Visit first")
    assert RefillRequest.objects.get().status == "declined"


@pytest.mark.django_db
def test_a_draft_cannot_be_moved_to_start_in_the_past(draft, physician):
    yesterday = draft.patient.today() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot start in the past"):
        order_services.order_draft_update(order=draft, physician=physician, supply_start=yesterday)
    with pytest.raises(ValidationError, match="cannot start in the past"):
        make_draft(PrescriptionOrder.objects.get(pk=draft.pk).plan, physician, supply_start=yesterday)
