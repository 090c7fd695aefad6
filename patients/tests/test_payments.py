"""Paying for a visit through Stripe Checkout, against the local Stripe stand-in: the page opened at
the visit date's price with ids only, an open page reused, the hosted page paying and the webhook
marking the payment paid, Stripe down, payments off, and who may pay (docs/domain.md "Cash pay")."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from patients.models import FeeSchedule, Payment
from patients.payments import selectors, services
from patients.payments.gateway import payments_enabled
from patients.tests.booking_helpers import MONDAY
from patients.tests.factories import FeeScheduleFactory, appointment_at, complete_intake
from patients.tests.stripe_standin import WEBHOOK_PATH, deliver_waiting, stripe_standin_running
from tests.helpers import free_port

pytestmark = pytest.mark.django_db
P = Payment.Status
WEDNESDAY_10 = MONDAY + dt.timedelta(days=2, hours=1)  # 10:00 Chicago


@pytest.fixture
def visit(clock, patient):
    """Prices published; the patient's first visit booked for Wednesday."""
    FeeScheduleFactory()
    complete_intake(patient)
    return appointment_at(patient, WEDNESDAY_10)


def start(visit, **kwargs):
    return services.checkout_start(appointment=visit, by=visit.patient.user, **kwargs)


def test_checkout_opens_stripes_page_at_the_visit_dates_price_sending_only_ids(visit, stripe_standin, settings):
    payment = start(visit)
    assert (payment.status, payment.amount_cents, payment.currency) == (P.PENDING, 25_000, "usd")
    assert (payment.service_code, payment.description) == ("99204-95", "Video visit, new patient")
    assert payment.fee_schedule == FeeSchedule.objects.get()
    assert payment.checkout_session_id.startswith("cs_test_")
    assert payment.checkout_url == f"{stripe_standin.api_base}/c/pay/{payment.checkout_session_id}"
    [(method, path, params, headers)] = stripe_standin.requests
    key = f"checkout-{payment.pk}-{int(payment.created_at.timestamp())}"
    assert (method, path, headers["Idempotency-Key"]) == ("POST", "/v1/checkout/sessions", key)
    assert params == {
        "mode": "payment",
        "line_items": [
            {
                "quantity": "1",
                "price_data": {"currency": "usd", "unit_amount": "25000", "product_data": {"name": "Telehealth visit"}},
            }
        ],
        "client_reference_id": str(payment.pk),
        "metadata": {"payment_id": str(payment.pk)},
        "payment_intent_data": {"metadata": {"payment_id": str(payment.pk)}},
        "success_url": f"{settings.SITE_URL}/patient/billing/payments/{payment.pk}/?checkout=done",
        "cancel_url": f"{settings.SITE_URL}/patient/billing/payments/{payment.pk}/?checkout=cancelled",
        # Stripe closes the page after an hour, so a page the portal gave up on cannot take money.
        "expires_at": str(int(payment.created_at.timestamp()) + 3600),
    }
    # Nothing about the patient or their health reaches Stripe.
    sent = stripe_standin.sent_text().lower()
    personal = (visit.patient.user.email, "Rosa", "Diaz", "1980", "555-0100", "Congress")
    for secret in (*personal, "fibromyalgia", "naltrexone", "ldn", "new patient", "99204"):
        assert secret.lower() not in sent


def test_a_second_click_returns_to_the_open_page_without_asking_stripe_again(visit, stripe_standin):
    first = start(visit)
    again = start(visit)
    assert again.pk == first.pk and again.checkout_url == first.checkout_url
    assert len(stripe_standin.requests) == 1 and Payment.objects.count() == 1


def test_a_page_about_to_close_is_replaced_and_closed_at_stripe(
    visit, stripe_standin, clock, django_capture_on_commit_callbacks
):
    first = start(visit)
    clock.shift(dt.timedelta(minutes=49))
    assert start(visit).pk == first.pk  # ten minutes left: the same page
    clock.shift(dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        second = start(visit)
    first.refresh_from_db()
    assert second.pk != first.pk and second.status == P.PENDING
    assert (first.status, first.failure_reason) == (P.FAILED, "The payment page closed before payment.")
    # The old page is closed at Stripe too (it would close by itself within ten minutes).
    assert stripe_standin.sessions[first.checkout_session_id]["status"] == "expired"
    assert second.checkout_session_id != first.checkout_session_id


def test_paying_on_the_hosted_page_sends_the_signed_event_and_the_webhook_marks_it_paid(visit, stripe_standin, client):
    payment = start(visit)
    page = requests.get(payment.checkout_url, timeout=5)
    assert page.status_code == 200
    assert "<h1>Pay $250.00</h1>" in page.text and "Telehealth visit" in page.text
    assert ">Pay</button>" in page.text and ">Cancel</button>" in page.text and 'lang="en"' in page.text
    paid = requests.post(f"{payment.checkout_url}/pay", allow_redirects=False, timeout=5)
    assert paid.status_code == 303
    assert paid.headers["Location"].endswith(f"/patient/billing/payments/{payment.pk}/?checkout=done")
    assert deliver_waiting(stripe_standin, client) == [200]
    payment.refresh_from_db()
    assert payment.status == P.PAID and payment.paid_at is not None
    assert payment.payment_intent_id == stripe_standin.sessions[payment.checkout_session_id]["payment_intent"]
    assert payment.receipt_number and payment.receipt_number.startswith("RC-")
    assert payment.events.get().outcome == "paid"
    # The page is closed now.
    assert requests.post(f"{payment.checkout_url}/pay", allow_redirects=False, timeout=5).status_code == 409


def test_cancelling_on_the_hosted_page_goes_back_and_leaves_the_payment_open(visit, stripe_standin):
    payment = start(visit)
    cancelled = requests.post(f"{payment.checkout_url}/cancel", allow_redirects=False, timeout=5)
    assert cancelled.status_code == 303
    assert cancelled.headers["Location"].endswith(f"/patient/billing/payments/{payment.pk}/?checkout=cancelled")
    assert not stripe_standin.undelivered
    payment.refresh_from_db()
    assert payment.status == P.PENDING and start(visit).pk == payment.pk


def test_stripe_failing_asks_the_patient_to_try_again_and_leaves_nothing_open(visit, stripe_standin):
    stripe_standin.create_answers.extend([500, 500, 500])  # the first try and the library's two retries
    with pytest.raises(ValidationError) as refusal:
        start(visit)
    assert refusal.value.messages == [services.CHECKOUT_UNAVAILABLE]
    failed = Payment.objects.get()
    assert failed.status == P.FAILED and not failed.checkout_url and failed.checkout_session_id is None
    assert failed.failure_reason.startswith("The payment page was not opened: Stripe answered 500")
    assert selectors.payment_for_visit(visit) is None
    # A few minutes later it works, with a new payment.
    again = start(visit)
    assert again.pk != failed.pk and again.checkout_url


def test_stripe_unreachable_asks_the_patient_to_try_again(visit, stripe_standin, settings):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ValidationError, match="could not be opened"):
        start(visit)
    assert Payment.objects.get().failure_reason == "The payment page was not opened: Stripe could not be reached."


def test_a_refusal_from_stripe_is_kept_for_the_practice(visit, stripe_standin):
    stripe_standin.create_answers.append(400)
    with pytest.raises(ValidationError):
        start(visit)
    assert Payment.objects.get().failure_reason.endswith("Stripe answered 400 (Refused by the test.)")


def test_with_payments_off_nothing_is_created_and_the_patient_is_told(visit, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", ""
    assert not payments_enabled()
    with pytest.raises(ValidationError, match="does not take payments online"):
        start(visit)
    assert not Payment.objects.exists()
    assert not selectors.payment_due(visit)


def test_only_the_visits_patient_pays_for_it(visit, stripe_standin, other_patient, physician):
    for someone in (other_patient.user, physician):
        with pytest.raises(PermissionDenied):
            services.checkout_start(appointment=visit, by=someone)
    assert not Payment.objects.exists() and not stripe_standin.requests


def test_a_visit_on_a_date_without_published_prices_cannot_be_paid(clock, patient, stripe_standin):
    FeeScheduleFactory(effective_from=dt.date(2026, 6, 1))
    visit = appointment_at(patient, WEDNESDAY_10)
    with pytest.raises(ValidationError) as refusal:
        start(visit)
    assert refusal.value.messages == ["The practice has not published a price for this visit yet."]
    assert not selectors.payment_due(visit)


def test_the_price_is_the_one_in_force_on_the_visit_date(clock, patient, stripe_standin):
    FeeScheduleFactory()
    later = FeeScheduleFactory(name="March prices", effective_from=dt.date(2026, 3, 4), fees=False)
    later.fees.create(visit_type_id=appointment_at(patient, WEDNESDAY_10).visit_type_id, service_code="99204",
                      description="Video visit, new patient", amount_cents=27_500)  # fmt: skip
    tuesday = appointment_at(patient, WEDNESDAY_10 - dt.timedelta(days=1))
    thursday = appointment_at(patient, WEDNESDAY_10 + dt.timedelta(days=1))
    assert start(tuesday).amount_cents == 25_000
    paid_later = start(thursday)
    assert (paid_later.amount_cents, paid_later.fee_schedule) == (27_500, later)


def test_after_visit_timing_takes_payment_once_the_visit_took_place(clock, patient, stripe_standin):
    FeeScheduleFactory(payment_timing=FeeSchedule.PaymentTiming.AFTER_VISIT)
    visit = appointment_at(patient, WEDNESDAY_10)
    assert not selectors.payment_due(visit)
    with pytest.raises(ValidationError, match="after it has taken place"):
        start(visit)
    visit.status = "completed"
    visit.save()
    assert selectors.payment_due(visit)
    assert start(visit).status == P.PENDING


def test_a_cancelled_visit_is_not_paid_for(visit, stripe_standin):
    visit.status = "cancelled"
    visit.save()
    assert not selectors.payment_due(visit)
    with pytest.raises(ValidationError, match="cancelled: there is nothing to pay"):
        start(visit)


def test_a_paid_visit_is_not_paid_again(visit, stripe_standin, client):
    payment = start(visit)
    stripe_standin.pay(payment.checkout_session_id)
    deliver_waiting(stripe_standin, client)
    assert not selectors.payment_due(visit)
    assert selectors.payment_for_visit(visit) == payment
    with pytest.raises(ValidationError, match="already paid"):
        start(visit)


def test_pay_is_offered_for_a_booked_visit_and_while_its_page_is_open(visit, stripe_standin, clock):
    assert selectors.payment_due(visit)
    start(visit)
    assert selectors.payment_due(visit)
    clock.shift(dt.timedelta(days=3))  # the visit is over but its outcome is not recorded
    assert not selectors.payment_due(visit)


def test_a_patient_sees_only_their_own_payments(visit, stripe_standin, other_patient, physician, admin_user):
    payment = start(visit)
    other_visit = appointment_at(other_patient, WEDNESDAY_10 + dt.timedelta(hours=2))
    complete_intake(other_patient)
    theirs = services.checkout_start(appointment=other_visit, by=other_patient.user)
    assert list(selectors.payment_list_for(visit.patient.user)) == [payment]
    assert selectors.payment_get_for(visit.patient.user, payment.pk) == payment
    with pytest.raises(Http404):
        selectors.payment_get_for(visit.patient.user, theirs.pk)
    for staff in (physician, admin_user):
        assert not selectors.payment_list_for(staff).exists()


def test_the_webhook_address_takes_only_posts(client, stripe_standin):
    assert client.get(WEBHOOK_PATH).status_code == 405


def test_the_billing_page_lists_the_visits_to_pay_at_their_price(visit, stripe_standin, other_patient, clock):
    FeeScheduleFactory._meta.model.objects.update(payment_timing=FeeSchedule.PaymentTiming.AFTER_VISIT)
    follow_up = appointment_at(visit.patient, WEDNESDAY_10 + dt.timedelta(days=7), kind="follow_up", status="completed")
    appointment_at(other_patient, WEDNESDAY_10 + dt.timedelta(hours=3), status="completed")
    [due] = selectors.visits_to_pay_for(visit.patient.user)  # the booked one waits for after the visit
    assert (due.appointment, due.description, due.amount_cents) == (follow_up, "Video visit, follow-up", 15_000)
    FeeScheduleFactory._meta.model.objects.update(payment_timing=FeeSchedule.PaymentTiming.AT_BOOKING)
    assert [each.appointment for each in selectors.visits_to_pay_for(visit.patient.user)] == [visit, follow_up]
    start(visit)
    stripe_standin.pay(Payment.objects.get().checkout_session_id)
    assert len(selectors.visits_to_pay_for(visit.patient.user)) == 2  # paid only once Stripe's event arrives


def test_a_patient_pays_only_their_own_visits(visit, other_patient, physician):
    assert selectors.visit_to_pay_get_for(visit.patient.user, visit.pk) == visit
    for someone in (other_patient.user, physician):
        with pytest.raises(Http404):
            selectors.visit_to_pay_get_for(someone, visit.pk)


@pytest.mark.django_db(transaction=True)
def test_the_hosted_page_posts_its_event_to_a_running_portal_before_returning_the_browser(
    live_server, settings, patient
):
    """As in a browser journey: the stand-in knows the portal's webhook address."""
    FeeScheduleFactory()
    visit = appointment_at(patient, dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    settings.SITE_URL = live_server.url
    with stripe_standin_running(settings, webhook_url=f"{live_server.url}{WEBHOOK_PATH}") as stripe_standin:
        payment = start(visit)
        back = requests.post(f"{payment.checkout_url}/pay", allow_redirects=False, timeout=10)
        assert back.headers["Location"] == f"{live_server.url}/patient/billing/payments/{payment.pk}/?checkout=done"
        assert stripe_standin.deliveries == [("checkout.session.completed", 200)]
    payment.refresh_from_db()
    assert payment.status == P.PAID


def test_the_price_charged_is_the_one_the_visits_estimate_quoted(visit, stripe_standin, private_storage):
    from patients.billing.services import estimate_issue_for_visit
    from patients.models import Fee

    estimate = estimate_issue_for_visit(appointment=visit, reason="scheduled")
    # The practice publishes higher prices for the visit's date after the patient was told $250.
    newer = FeeScheduleFactory(effective_from=visit.starts_at.date() - dt.timedelta(days=1))
    Fee.objects.filter(schedule=newer).update(amount_cents=30_000)
    payment = start(visit)
    assert (payment.amount_cents, payment.fee_schedule) == (25_000, estimate.fee_schedule)
