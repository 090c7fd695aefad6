"""Stripe's webhook: only correctly signed events change anything, each event applies once, and
events in any order leave the payment where Stripe's history says it is (docs/domain.md "Cash pay")."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from patients.models import Payment, StripeEvent
from patients.payments import services
from patients.tests.booking_helpers import MONDAY
from patients.tests.factories import FeeScheduleFactory, appointment_at
from patients.tests.stripe_standin import WEBHOOK_PATH, WEBHOOK_SECRET, deliver, event_for, signed

pytestmark = pytest.mark.django_db
P = Payment.Status
WEDNESDAY_10 = MONDAY + dt.timedelta(days=2, hours=1)


@pytest.fixture
def payment(clock, patient, stripe_standin):
    """A pending payment whose Stripe page is open."""
    FeeScheduleFactory()
    visit = appointment_at(patient, WEDNESDAY_10)
    return services.checkout_start(appointment=visit, by=patient.user)


def session(payment, **changes) -> dict:
    """The Checkout Session as Stripe reports it once the patient paid."""
    return {
        "id": payment.checkout_session_id, "object": "checkout.session", "mode": "payment",
        "status": "complete", "payment_status": "paid", "amount_total": payment.amount_cents,
        "currency": "usd", "payment_intent": "pi_test_paid", "client_reference_id": str(payment.pk),
        "metadata": {"payment_id": str(payment.pk)}, **changes,
    }  # fmt: skip


def charge(payment, *, intent="pi_test_paid", refunded=None) -> dict:
    refunded = payment.amount_cents if refunded is None else refunded
    return {
        "id": "ch_test_1", "object": "charge", "amount": payment.amount_cents, "amount_refunded": refunded,
        "refunded": refunded >= payment.amount_cents, "currency": "usd", "payment_intent": intent, "metadata": {},
    }  # fmt: skip


def send(client, kind: str, obj: dict, **event) -> int:
    return deliver(client, [signed(event_for(kind, obj, **event))])[0]


def state(payment) -> tuple:
    payment.refresh_from_db()
    return payment.status, payment.paid_at, payment.refunded_cents, payment.receipt_number


# --- Signatures -------------------------------------------------------------------------------------


def test_an_event_with_a_bad_signature_is_refused_and_changes_nothing(client, payment):
    body, header = signed(event_for("checkout.session.completed", session(payment)))
    forged = header.rsplit("=", 1)[0] + "=" + "0" * 64
    assert deliver(client, [(body, forged)]) == [400]
    wrong_secret = signed(event_for("checkout.session.completed", session(payment)), secret="whsec_someone_else")
    assert deliver(client, [wrong_secret]) == [400]
    tampered = body.replace(b'"amount_total": 25000', b'"amount_total": 1')
    assert deliver(client, [(tampered, header)]) == [400]
    assert state(payment)[0] == P.PENDING and not StripeEvent.objects.exists()


def test_an_event_without_a_signature_header_is_refused(client, payment):
    body, _ = signed(event_for("checkout.session.completed", session(payment)))
    answer = client.post(WEBHOOK_PATH, data=body, content_type="application/json")
    assert answer.status_code == 400
    assert state(payment)[0] == P.PENDING and not StripeEvent.objects.exists()


def test_an_old_signature_is_refused(client, payment):
    event = signed(event_for("checkout.session.completed", session(payment)), timestamp=int(time.time()) - 301)
    assert deliver(client, [event]) == [400]
    assert state(payment)[0] == P.PENDING


def test_a_signed_body_that_is_not_an_event_is_refused(client, payment):
    not_json = b"{not json"
    header = __import__("stripe").WebhookSignature.generate_signature_header(not_json.decode(), WEBHOOK_SECRET)
    assert deliver(client, [(not_json, header)]) == [400]
    assert deliver(client, [signed({"id": "evt_test_x", "object": "event"})]) == [400]
    assert not StripeEvent.objects.exists()


def test_the_webhook_is_not_there_when_payments_are_off(client, payment, settings):
    event = signed(event_for("checkout.session.completed", session(payment)))
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(client, [event]) == [404]
    assert state(payment)[0] == P.PENDING


def test_the_webhook_refuses_other_methods(client, payment):
    assert client.get(WEBHOOK_PATH).status_code == 405
    assert client.put(WEBHOOK_PATH).status_code == 405


# --- Applying events --------------------------------------------------------------------------------


def test_a_completed_paid_session_marks_the_payment_paid_and_prepares_its_receipt(client, payment):
    assert send(client, "checkout.session.completed", session(payment), event_id="evt_test_done") == 200
    status, paid_at, _, receipt = state(payment)
    assert status == P.PAID and paid_at and receipt.startswith("RC-")
    assert payment.payment_intent_id == "pi_test_paid"
    event = StripeEvent.objects.get()
    assert (event.event_id, event.type, event.payment, event.outcome) == (
        "evt_test_done",
        "checkout.session.completed",
        payment,
        "paid",
    )


def test_a_replayed_event_changes_nothing(client, payment, clock):
    event = signed(event_for("checkout.session.completed", session(payment), event_id="evt_test_once"))
    assert deliver(client, [event]) == [200]
    before = state(payment)
    clock.shift(dt.timedelta(minutes=1))
    assert deliver(client, [event, event]) == [200, 200]
    assert state(payment) == before and StripeEvent.objects.count() == 1
    # Even after a refund, the old event does not make the payment paid again.
    assert send(client, "charge.refunded", charge(payment)) == 200
    assert deliver(client, [event]) == [200]
    assert state(payment)[0] == P.REFUNDED


def test_a_page_closing_after_the_payment_changes_nothing(client, payment):
    send(client, "checkout.session.completed", session(payment))
    assert send(client, "checkout.session.expired", session(payment, status="expired", payment_status="unpaid")) == 200
    assert state(payment)[0] == P.PAID
    assert StripeEvent.objects.get(type="checkout.session.expired").outcome == "no change: the payment is paid"


def test_a_page_closing_unpaid_marks_the_payment_not_paid(client, payment):
    send(client, "checkout.session.expired", session(payment, status="expired", payment_status="unpaid"))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (P.FAILED, "The payment page closed before payment.")


def test_a_different_amount_is_not_taken_as_payment(client, payment):
    assert send(client, "checkout.session.completed", session(payment, amount_total=100)) == 200
    assert state(payment)[0] == P.PENDING
    assert StripeEvent.objects.get().outcome == "not marked paid: Stripe reported 100 usd, the payment is 25000 usd"
    send(client, "checkout.session.completed", session(payment, currency="eur"))
    assert state(payment)[0] == P.PENDING


def test_a_delayed_payment_method_is_paid_when_stripe_says_it_succeeded(client, payment):
    send(client, "checkout.session.completed", session(payment, payment_status="unpaid"))
    payment.refresh_from_db()
    assert (payment.status, payment.payment_intent_id) == (P.PENDING, "pi_test_paid")
    send(client, "checkout.session.async_payment_succeeded", session(payment))
    assert state(payment)[0] == P.PAID


def test_a_delayed_payment_method_that_fails_marks_the_payment_not_paid(client, payment):
    send(client, "checkout.session.completed", session(payment, payment_status="unpaid"))
    send(client, "checkout.session.async_payment_failed", session(payment, payment_status="unpaid"))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (P.FAILED, "The payment did not go through.")


def test_a_refund_reported_before_the_completion_is_applied_once_stripe_sends_it_again(client, payment):
    refund = signed(event_for("charge.refunded", charge(payment), event_id="evt_test_refund"))
    # Not matched yet: refused without a trace, so that Stripe sends it again later.
    assert deliver(client, [refund]) == [409]
    assert not StripeEvent.objects.exists()
    send(client, "checkout.session.completed", session(payment))
    assert state(payment)[0] == P.PAID
    assert deliver(client, [refund]) == [200]
    status, _, refunded, _ = state(payment)
    assert (status, refunded) == (P.REFUNDED, 25_000) and payment.refunded_at
    # And a late success report never makes it paid again.
    send(client, "checkout.session.async_payment_succeeded", session(payment))
    assert state(payment)[0] == P.REFUNDED


def test_a_refund_for_a_payment_still_processing_ends_refunded(client, payment):
    send(client, "checkout.session.completed", session(payment, payment_status="unpaid"))
    send(client, "charge.refunded", charge(payment))
    send(client, "checkout.session.async_payment_succeeded", session(payment))
    assert state(payment)[0] == P.REFUNDED


def test_a_partial_refund_made_in_stripe_is_recorded_without_changing_the_status(client, payment):
    send(client, "checkout.session.completed", session(payment))
    send(client, "charge.refunded", charge(payment, refunded=5_000))
    status, _, refunded, _ = state(payment)
    assert (status, refunded) == (P.PAID, 5_000)


def test_an_old_refund_of_an_unknown_charge_is_recorded_and_ignored(client, payment, clock):
    created = int(time.time()) - 2 * 3600
    assert send(client, "charge.refunded", charge(payment, intent="pi_test_elsewhere"), created=created) == 200
    assert StripeEvent.objects.get().outcome == "ignored: no payment of this portal matches"


def test_a_session_of_another_installation_matches_nothing(client, payment):
    # The same payment id in the metadata, but a session this portal never opened.
    assert send(client, "checkout.session.completed", session(payment, id="cs_test_elsewhere")) == 200
    assert state(payment)[0] == P.PENDING
    assert StripeEvent.objects.get().outcome == "ignored: no payment of this portal matches"


def test_events_the_portal_does_not_use_are_recorded_and_ignored(client, payment):
    assert send(client, "customer.created", {"id": "cus_test_1", "object": "customer"}) == 200
    assert StripeEvent.objects.get().outcome == "ignored: the portal does not act on this kind of event"


def test_a_payment_made_after_its_visit_was_cancelled_is_recorded_and_refunded(
    client, payment, django_capture_on_commit_callbacks
):
    visit = payment.appointment
    visit.status = "cancelled"
    visit.save()
    services.refund_for_cancelled_visit(appointment=visit, by=payment.patient.user)
    assert state(payment)[0] == P.FAILED
    with django_capture_on_commit_callbacks() as callbacks:
        send(client, "checkout.session.completed", session(payment))
    payment.refresh_from_db()
    assert payment.status == P.REFUND_PENDING and payment.paid_at and payment.receipt_number
    assert payment.refund_reason == "Paid after the visit was cancelled."
    assert callbacks  # the refund (and the receipt) go out once the event's transaction commits


def test_the_stand_ins_own_events_are_accepted(client, payment, stripe_standin):
    stripe_standin.pay(payment.checkout_session_id)
    [(body, _)] = stripe_standin.undelivered
    event = json.loads(body)
    assert (event["type"], event["data"]["object"]["metadata"]) == (
        "checkout.session.completed",
        {"payment_id": str(payment.pk)},
    )
    stripe_standin.undelivered.clear()
    assert deliver(client, [(body, _)]) == [200]
    assert state(payment)[0] == P.PAID


def test_a_refund_that_fails_after_stripe_accepted_it_makes_the_payment_paid_again(client, payment):
    assert send(client, "checkout.session.completed", session(payment)) == 200
    assert send(client, "charge.refunded", charge(payment)) == 200
    assert state(payment)[0] == P.REFUNDED
    failed = {
        "id": "re_test_1", "object": "refund", "amount": payment.amount_cents, "currency": "usd",
        "payment_intent": "pi_test_paid", "status": "failed", "failure_reason": "expired_or_canceled_card",
        "metadata": {"payment_id": str(payment.pk)},
    }  # fmt: skip
    assert send(client, "refund.failed", failed) == 200
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_cents, payment.refunded_at) == (P.PAID, 0, None)
    assert payment.refund_reason.startswith("Refund failed at Stripe (expired_or_canceled_card)")
    # A refund failure for a payment that is not refunded changes nothing.
    other = {**failed, "id": "re_test_2"}
    assert send(client, "refund.failed", other) == 200
    assert state(payment)[0] == P.PAID
