"""The cash-pay admin: fee-schedule versions (every visit type priced; a used version is frozen and
changes by "Save as new"), the late-estimate filter, and the refund action through Stripe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from patients.billing.services import estimate_issue_for_visit
from patients.models import Fee, FeeSchedule, GoodFaithEstimate, Payment, VisitType
from patients.tests.factories import FeeScheduleFactory, PatientFactory, appointment_at, paid_payment
from portal.tests.factories import AdminFactory
from portal.tests.signin import sign_in


@pytest.fixture
def admin_client(client):
    sign_in(client, AdminFactory())
    return client


def schedule_form(schedule: FeeSchedule | None = None, **changes) -> dict:
    """The admin's change form of a fee schedule, filled as it stands (or with a new version)."""
    initial, follow_up = VisitType.objects.get(kind="initial"), VisitType.objects.get(kind="follow_up")
    data = {
        "name": "2027 prices", "effective_from": "2027-01-01", "legal_name": "Lakeside LDN Care PLLC",
        "npi": "1982736450", "tin": "12-3456789", "address_line1": "100 Main Street", "address_line2": "",
        "city": "Austin", "state_code": "TX", "postal_code": "78701", "phone": "512-555-0199",
        "billing_email": "", "place_of_service": "10", "telehealth_modifier": "95", "payment_timing": "at_booking",
        "cancellation_notice_hours": "24", "cancellation_policy": "Cancel 24 hours ahead for a full refund.",
        "fees-TOTAL_FORMS": "2", "fees-INITIAL_FORMS": "0", "fees-MIN_NUM_FORMS": "1", "fees-MAX_NUM_FORMS": "1000",
        "fees-0-visit_type": str(initial.pk), "fees-0-service_code": "99204",
        "fees-0-description": "Video visit, new patient", "fees-0-amount_cents": "27500",
        "fees-1-visit_type": str(follow_up.pk), "fees-1-service_code": "99214",
        "fees-1-description": "Video visit, follow-up", "fees-1-amount_cents": "16000",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_version_must_price_every_kind_of_visit(admin_client):
    data = schedule_form(**{"fees-TOTAL_FORMS": "1"})
    response = admin_client.post("/admin/patients/feeschedule/add/", data)
    assert response.status_code == 200
    assert "Give a price for every kind of visit. Missing: Follow-up visit." in response.content.decode()
    assert not FeeSchedule.objects.exists()
    response = admin_client.post("/admin/patients/feeschedule/add/", schedule_form())
    assert response.status_code == 302
    assert FeeSchedule.objects.get().fees.count() == 2


@pytest.mark.django_db
def test_a_used_version_is_frozen_and_the_next_is_saved_as_new(admin_client, private_storage):
    schedule = FeeScheduleFactory()
    patient = PatientFactory()
    visit = appointment_at(patient, timezone.now() + dt.timedelta(days=20))
    assert estimate_issue_for_visit(appointment=visit, reason="scheduled") is not None
    page = admin_client.get(f"/admin/patients/feeschedule/{schedule.pk}/change/").content.decode()
    assert 'name="legal_name"' not in page and 'name="fees-0-amount_cents"' not in page
    assert "Save as new" in page
    # Posting a change to the frozen version changes nothing.
    admin_client.post(f"/admin/patients/feeschedule/{schedule.pk}/change/", schedule_form(name="Changed"))
    schedule.refresh_from_db()
    assert (
        schedule.name == "2026 prices"
        and Fee.objects.get(schedule=schedule, visit_type__kind="initial").amount_cents == 25_000
    )
    # "Save as new" with a later date starts the next version; the used one stays as it was.
    response = admin_client.post(
        f"/admin/patients/feeschedule/{schedule.pk}/change/", schedule_form(_saveasnew="Save as new")
    )
    assert response.status_code == 302
    new = FeeSchedule.objects.get(effective_from=dt.date(2027, 1, 1))
    assert new.fees.get(visit_type__kind="initial").amount_cents == 27_500
    assert GoodFaithEstimate.objects.get().fee_schedule == schedule


@pytest.mark.django_db
def test_the_admin_lists_estimates_issued_late_or_overdue(admin_client, private_storage):
    FeeScheduleFactory()
    patient = PatientFactory()
    visit = appointment_at(patient, timezone.now() + dt.timedelta(days=30))
    # Booked three weeks ago and never rendered: its deadline (3 business days) has passed.
    overdue = estimate_issue_for_visit(
        appointment=visit, reason="scheduled", now=timezone.now() - dt.timedelta(days=21)
    )
    GoodFaithEstimate.objects.filter(pk=overdue.pk).update(issued_at=None)
    on_time = appointment_at(PatientFactory(), timezone.now() + dt.timedelta(days=40))
    with_pdf = estimate_issue_for_visit(appointment=on_time, reason="scheduled")
    GoodFaithEstimate.objects.filter(pk=with_pdf.pk).update(issued_at=timezone.now())
    page = admin_client.get("/admin/patients/goodfaithestimate/?deadline=late").content.decode()
    assert overdue.number in page and with_pdf.number not in page


@pytest.mark.django_db
def test_the_refund_action_refunds_a_paid_payment_through_stripe(
    admin_client, stripe_standin, private_storage, django_capture_on_commit_callbacks
):
    schedule = FeeScheduleFactory()
    visit = appointment_at(PatientFactory(), timezone.now() - dt.timedelta(days=2), status="completed")
    payment = paid_payment(visit, schedule, paid_at=timezone.now() - dt.timedelta(days=3))
    # Stripe knows the charge the payment was made with.
    stripe_standin.intents[payment.payment_intent_id] = {
        "id": "ch_admin", "object": "charge", "amount": payment.amount_cents, "amount_refunded": 0,
        "currency": "usd", "payment_intent": payment.payment_intent_id, "paid": True, "refunded": False,
        "status": "succeeded", "metadata": {}, "created": 0,
    }  # fmt: skip
    pending = paid_payment(
        appointment_at(PatientFactory(), timezone.now() + dt.timedelta(days=9)),
        schedule,
        paid_at=None,
        status="pending",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the refund task runs once the action commits
        response = admin_client.post(
            "/admin/patients/payment/",
            {"action": "refund_in_full", "_selected_action": [payment.pk, pending.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert f"Payment {payment.pk}: refund sent to Stripe." in text
    assert f"Payment {pending.pk}: Only a paid payment can be refunded" in text
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_cents) == (Payment.Status.REFUNDED, payment.amount_cents)
    assert payment.refund_reason == "Refunded by the practice."
    assert [request[1] for request in stripe_standin.requests if request[0] == "POST"] == ["/v1/refunds"]
