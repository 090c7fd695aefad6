"""Refunds, against the local Stripe stand-in: a visit cancelled within or outside the cancellation
policy, a care-team cancellation, the practice's refund, Stripe refusing, Stripe unreachable, and
the beat task that resumes refunds (docs/domain.md "Cash pay")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from patients.models import Payment
from patients.payments import sending, services, tasks
from patients.payments.selectors import cancellation_refund_preview
from patients.tests.booking_helpers import MONDAY
from patients.tests.factories import FeeScheduleFactory, appointment_at
from patients.tests.stripe_standin import deliver_waiting
from patients.visits.services import appointment_cancel

pytestmark = pytest.mark.django_db
P = Payment.Status
WEDNESDAY_10 = MONDAY + dt.timedelta(days=2, hours=1)  # 49 hours after the clock's Monday 09:00


@pytest.fixture
def paid(clock, patient, physician, stripe_standin, client):
    """The patient paid for Wednesday's visit (with the physician) on Stripe's page."""
    FeeScheduleFactory()
    visit = appointment_at(patient, WEDNESDAY_10, physician=physician)
    payment = services.checkout_start(appointment=visit, by=patient.user)
    stripe_standin.pay(payment.checkout_session_id)
    assert deliver_waiting(stripe_standin, client) == [200]
    payment.refresh_from_db()
    assert payment.status == P.PAID
    stripe_standin.requests.clear()
    return payment


def cancel(payment, by, django_capture_on_commit_callbacks, *, now=None):
    """Cancel the visit and apply the policy in one transaction, as patients.visits does; the
    refund is sent once it commits."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        appointment_cancel(appointment=payment.appointment, by=by, now=now, enforce_cutoff=False)
        return services.refund_for_cancelled_visit(appointment=payment.appointment, by=by, now=now)


def refund_requests(stripe_standin) -> list:
    return [(params, headers) for method, path, params, headers in stripe_standin.requests if path == "/v1/refunds"]


def test_a_patient_cancelling_well_ahead_gets_a_full_refund(
    paid, stripe_standin, client, django_capture_on_commit_callbacks
):
    outcome = cancel(paid, paid.patient.user, django_capture_on_commit_callbacks)
    assert outcome == services.CancellationRefund(
        True, "The $250.00 you paid will be refunded to your card; it usually shows within 5–10 business days."
    )
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents) == (P.REFUNDED, 25_000) and paid.refunded_at
    assert paid.refund_id.startswith("re_test_")
    assert paid.refund_reason == "The patient cancelled at least 24 hours before the visit."
    assert paid.refund_requested_by == paid.patient.user
    [(params, headers)] = refund_requests(stripe_standin)
    assert params == {
        "payment_intent": paid.payment_intent_id,
        "amount": "25000",
        "metadata": {"payment_id": str(paid.pk)},
    }
    assert headers["Idempotency-Key"] == f"refund-{paid.pk}-{int(paid.refund_requested_at.timestamp())}"
    # Stripe's charge.refunded event arrives afterwards and changes nothing.
    assert deliver_waiting(stripe_standin, client) == [200]
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents) == (P.REFUNDED, 25_000)


def test_cancelling_exactly_at_the_notice_is_still_refunded(paid, clock, django_capture_on_commit_callbacks):
    clock.move_to(WEDNESDAY_10 - dt.timedelta(hours=24))
    assert cancel(paid, paid.patient.user, django_capture_on_commit_callbacks).refunded


def test_a_patient_cancelling_late_is_not_refunded(paid, clock, stripe_standin, django_capture_on_commit_callbacks):
    clock.move_to(WEDNESDAY_10 - dt.timedelta(hours=23, minutes=59))
    outcome = cancel(paid, paid.patient.user, django_capture_on_commit_callbacks)
    assert outcome == services.CancellationRefund(
        False,
        "The visit was cancelled less than 24 hours before it was due, so under the practice's cancellation "
        "policy the $250.00 paid is not refunded.",
    )
    paid.refresh_from_db()
    assert paid.status == P.PAID and not refund_requests(stripe_standin)


def test_the_notice_is_the_one_of_the_fee_schedule_the_payment_was_made_under(
    paid, clock, django_capture_on_commit_callbacks
):
    paid.fee_schedule.__class__.objects.filter(pk=paid.fee_schedule_id).update(cancellation_notice_hours=72)
    outcome = cancel(paid, paid.patient.user, django_capture_on_commit_callbacks)
    assert not outcome.refunded and "less than 72 hours" in outcome.message


def test_moving_a_paid_visit_inside_the_notice_does_not_make_it_refundable(
    paid, clock, physician, django_capture_on_commit_callbacks
):
    from patients.payments.services import payment_follow_moved_visit

    # 23 hours before the visit (inside the 24-hour notice) it is moved three weeks on ...
    clock.move_to(WEDNESDAY_10 - dt.timedelta(hours=23))
    later = appointment_at(paid.patient, WEDNESDAY_10 + dt.timedelta(days=21), physician=physician)
    with transaction.atomic():
        payment_follow_moved_visit(old=paid.appointment, new=later)
    paid.refresh_from_db()
    assert paid.appointment == later and paid.refundable_until == WEDNESDAY_10 - dt.timedelta(hours=24)
    # ... and cancelling it weeks ahead of the new date is still a late cancellation.
    clock.move_to(WEDNESDAY_10 + dt.timedelta(days=7))
    outcome = cancel(paid, paid.patient.user, django_capture_on_commit_callbacks)
    assert not outcome.refunded and outcome.message.startswith("The visit was moved less than 24 hours")


def test_moving_a_paid_visit_ahead_of_the_notice_gives_the_new_visit_its_own(paid, clock, physician):
    from patients.payments.services import payment_follow_moved_visit

    clock.move_to(WEDNESDAY_10 - dt.timedelta(days=3))
    later = appointment_at(paid.patient, WEDNESDAY_10 + dt.timedelta(days=7), physician=physician)
    with transaction.atomic():
        payment_follow_moved_visit(old=paid.appointment, new=later)
    paid.refresh_from_db()
    assert paid.appointment == later and paid.refundable_until is None  # the notice before the new visit


def test_the_visits_physician_cancelling_at_any_time_refunds_in_full(
    paid, clock, physician, django_capture_on_commit_callbacks
):
    clock.move_to(WEDNESDAY_10 - dt.timedelta(minutes=10))
    outcome = cancel(paid, physician, django_capture_on_commit_callbacks)
    assert outcome == services.CancellationRefund(True, "The patient's payment of $250.00 will be refunded in full.")
    paid.refresh_from_db()
    assert (paid.status, paid.refund_reason) == (P.REFUNDED, "The care team or the practice cancelled the visit.")


def test_the_practice_cancelling_refunds_in_full(paid, clock, admin_user, django_capture_on_commit_callbacks):
    clock.move_to(WEDNESDAY_10 - dt.timedelta(hours=1))
    assert cancel(paid, admin_user, django_capture_on_commit_callbacks).refunded


def test_cancelling_an_unpaid_visit_closes_its_open_payment_page(
    clock, patient, stripe_standin, django_capture_on_commit_callbacks
):
    FeeScheduleFactory()
    visit = appointment_at(patient, WEDNESDAY_10)
    payment = services.checkout_start(appointment=visit, by=patient.user)
    outcome = cancel(payment, patient.user, django_capture_on_commit_callbacks)
    assert outcome == services.CancellationRefund(False, "")
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (P.FAILED, "The visit was cancelled before it was paid.")
    assert stripe_standin.sessions[payment.checkout_session_id]["status"] == "expired"


def test_cancelling_a_visit_with_no_payment_says_nothing(clock, patient, django_capture_on_commit_callbacks):
    visit = appointment_at(patient, WEDNESDAY_10)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.refund_for_cancelled_visit(appointment=visit, by=patient.user) == services.CancellationRefund(
            False, ""
        )


# --- The practice's refund (admin) ------------------------------------------------------------------


def test_practice_staff_refund_a_paid_payment_with_a_reason(paid, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="  Duplicate   booking ")
    paid.refresh_from_db()
    assert (paid.status, paid.refund_reason, paid.refund_requested_by) == (P.REFUNDED, "Duplicate booking", admin_user)


def test_only_practice_staff_refund_and_only_with_a_reason(paid, physician, admin_user):
    for someone in (paid.patient.user, physician):
        with pytest.raises(PermissionDenied):
            services.payment_refund(payment=paid, by=someone, reason="Asked")
    with pytest.raises(ValidationError, match="Say why"):
        services.payment_refund(payment=paid, by=admin_user, reason="  ")
    paid.refresh_from_db()
    assert paid.status == P.PAID


def test_only_a_paid_payment_is_refunded(paid, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    with pytest.raises(ValidationError, match="this one is refunded"):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked again")


# --- Stripe refusing, Stripe unreachable, resuming -----------------------------------------------------


def test_a_charge_already_refunded_in_stripes_dashboard_is_recorded_refunded(
    paid, admin_user, stripe_standin, django_capture_on_commit_callbacks
):
    stripe_standin.intents[paid.payment_intent_id]["amount_refunded"] = 25_000
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents) == (P.REFUNDED, 25_000)


def test_a_second_refund_after_a_refusal_is_a_new_request_with_a_new_key(
    paid, admin_user, stripe_standin, clock, django_capture_on_commit_callbacks
):
    stripe_standin.refund_answers.append(400)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    paid.refresh_from_db()
    assert paid.status == P.PAID and paid.refund_reason.startswith("Refund refused: Stripe answered 400")
    clock.shift(dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked again")
    paid.refresh_from_db()
    assert paid.status == P.REFUNDED
    first, second = (headers["Idempotency-Key"] for _, headers in refund_requests(stripe_standin))
    assert first != second  # Stripe would replay the refusal for a reused key


def test_an_unknown_charge_is_refused_by_stripe(paid, admin_user, django_capture_on_commit_callbacks):
    Payment.objects.filter(pk=paid.pk).update(payment_intent_id="pi_test_unknown")
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    paid.refresh_from_db()
    assert paid.status == P.PAID and "No such payment_intent: 'pi_test_unknown'" in paid.refund_reason


def test_stripe_unavailable_keeps_the_refund_waiting_and_resume_sends_it(
    paid, admin_user, stripe_standin, clock, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")  # the task is lost
    stripe_standin.refund_answers.extend([500, 500, 500])
    assert sending.refund_send(payment_id=paid.pk) == sending.RETRY
    paid.refresh_from_db()
    assert paid.status == P.REFUND_PENDING
    # The task's own retries have the first minutes; then the beat finds it and sends it.
    assert tasks.resume.delay().get() == 0
    clock.shift(dt.timedelta(minutes=6))
    assert tasks.resume.delay().get() == 1
    paid.refresh_from_db()
    assert paid.status == P.REFUNDED and paid.refund_id
    assert tasks.resume.delay().get() == 0


def test_a_repeated_refund_task_does_nothing(paid, admin_user, stripe_standin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    assert sending.refund_send(payment_id=paid.pk) == sending.NOTHING
    assert len(refund_requests(stripe_standin)) == 1


def test_a_lost_answer_is_asked_again_with_the_same_key_and_stripe_returns_the_same_refund(
    paid, admin_user, stripe_standin
):
    with transaction.atomic():
        services.payment_refund(payment=paid, by=admin_user, reason="Asked")
    assert sending.refund_send(payment_id=paid.pk) == sending.REFUNDED
    paid.refresh_from_db()
    first = paid.refund_id
    # As if the answer had been lost: the row is still waiting, the worker asks again.
    Payment.objects.filter(pk=paid.pk).update(status=P.REFUND_PENDING, refund_id="", refunded_cents=0)
    assert sending.refund_send(payment_id=paid.pk) == sending.REFUNDED
    paid.refresh_from_db()
    assert paid.refund_id == first and len(stripe_standin.refunds) == 1


def test_the_refund_preview_says_what_cancelling_now_would_do_without_doing_it(paid):
    """patients.payments.selectors.cancellation_refund_preview follows refund_for_cancelled_visit's
    rule: in full up to the notice before the visit, then nothing; a late move keeps the old
    cut-off; a refund under way is said as such; an unpaid visit says nothing."""
    visit = paid.appointment
    cut_off = WEDNESDAY_10 - dt.timedelta(hours=24)
    assert cancellation_refund_preview(visit, now=cut_off).startswith("You paid $250.00; it will be refunded in full")
    assert cancellation_refund_preview(visit, now=cut_off + dt.timedelta(seconds=1)) == (
        "You paid $250.00; it is not refunded, because the visit is less than 24 hours away "
        "(the practice's cancellation policy)."
    )
    Payment.objects.filter(pk=paid.pk).update(refundable_until=MONDAY)
    assert cancellation_refund_preview(visit, now=MONDAY + dt.timedelta(hours=1)).endswith(
        "because the visit was moved less than 24 hours before it was due (the practice's cancellation policy)."
    )
    Payment.objects.filter(pk=paid.pk).update(status=P.REFUND_PENDING)
    assert cancellation_refund_preview(visit) == "Your payment of $250.00 is already being refunded."
    Payment.objects.filter(pk=paid.pk).update(status=P.PENDING)
    assert cancellation_refund_preview(visit) == ""
    assert Payment.objects.get(pk=paid.pk).refunded_cents == 0
