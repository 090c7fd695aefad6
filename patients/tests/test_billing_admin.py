"""The cash-pay admin: fee-schedule versions (every visit type priced; a used version is frozen and
the next starts as a copy), the late-estimate filter, and the refund action through Stripe."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
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


def fees_of(schedule: FeeSchedule) -> list[tuple]:
    return sorted(schedule.fees.values_list("visit_type__kind", "service_code", "description", "amount_cents"))


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
def test_a_used_version_is_frozen_and_the_next_is_copied_as_a_new_version(admin_client, private_storage):
    schedule = FeeScheduleFactory()
    patient = PatientFactory()
    visit = appointment_at(patient, timezone.now() + dt.timedelta(days=20))
    assert estimate_issue_for_visit(appointment=visit, reason="scheduled") is not None
    page = admin_client.get(f"/admin/patients/feeschedule/{schedule.pk}/change/").content.decode()
    assert 'name="legal_name"' not in page and 'name="fees-0-amount_cents"' not in page
    # Posting a change to the frozen version changes nothing.
    admin_client.post(f"/admin/patients/feeschedule/{schedule.pk}/change/", schedule_form(name="Changed"))
    schedule.refresh_from_db()
    assert (
        schedule.name == "2026 prices"
        and Fee.objects.get(schedule=schedule, visit_type__kind="initial").amount_cents == 25_000
    )
    # The changelist offers the copy; the copy is an unused version with every field and fee.
    changelist = admin_client.get("/admin/patients/feeschedule/").content.decode()
    assert "Copy as a new version" in changelist
    response = admin_client.post(
        "/admin/patients/feeschedule/", {"action": "copy_as_new_version", "_selected_action": [schedule.pk]}
    )
    copy = FeeSchedule.objects.exclude(pk=schedule.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/patients/feeschedule/{copy.pk}/change/"
    assert copy.name == "2026 prices (copy)"
    assert copy.effective_from == schedule.effective_from + dt.timedelta(days=1)
    assert not copy.in_use
    for field in FeeSchedule._meta.concrete_fields:
        if field.name not in ("id", "name", "effective_from", "created_at"):
            assert getattr(copy, field.attname) == getattr(schedule, field.attname), field.name
    assert fees_of(copy) == fees_of(schedule)
    page = admin_client.get(response["Location"]).content.decode()
    assert "Set the date it takes effect and its prices, then save." in page
    assert 'name="legal_name"' in page and 'name="fees-0-amount_cents"' in page
    # Staff set the date and the prices on the copy and save it; the used version stays as it was.
    initial_fee, follow_up_fee = (copy.fees.get(visit_type__kind=kind) for kind in ("initial", "follow_up"))
    data = schedule_form(
        **{"fees-INITIAL_FORMS": "2", "fees-0-id": str(initial_fee.pk), "fees-0-schedule": str(copy.pk),
           "fees-1-id": str(follow_up_fee.pk), "fees-1-schedule": str(copy.pk)}
    )  # fmt: skip
    response = admin_client.post(f"/admin/patients/feeschedule/{copy.pk}/change/", data)
    assert response.status_code == 302
    copy.refresh_from_db()
    assert (copy.name, copy.effective_from) == ("2027 prices", dt.date(2027, 1, 1))
    assert copy.fees.get(visit_type__kind="initial").amount_cents == 27_500
    assert GoodFaithEstimate.objects.get().fee_schedule == schedule
    assert Fee.objects.get(schedule=schedule, visit_type__kind="initial").amount_cents == 25_000


@pytest.mark.django_db
def test_copying_a_version_starts_after_the_latest_and_takes_exactly_one(admin_client):
    first = FeeScheduleFactory()
    later = FeeScheduleFactory(name="2027 prices", effective_from=dt.date(2027, 1, 1))
    response = admin_client.post(
        "/admin/patients/feeschedule/",
        {"action": "copy_as_new_version", "_selected_action": [first.pk, later.pk]},
        follow=True,
    )
    assert "Select exactly one version to copy." in response.content.decode()
    assert FeeSchedule.objects.count() == 2
    admin_client.post("/admin/patients/feeschedule/", {"action": "copy_as_new_version", "_selected_action": [first.pk]})
    copy = FeeSchedule.objects.get(name="2026 prices (copy)")
    assert copy.effective_from == dt.date(2027, 1, 2)


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
def test_the_late_filter_reads_dates_in_the_billing_time_zone(admin_client, settings, private_storage):
    # The practice's office is in New York while the server's zone is Chicago.
    settings.BILLING_TIME_ZONE = "America/New_York"
    FeeScheduleFactory()
    due_on = dt.date(2026, 3, 4)
    new_york = ZoneInfo("America/New_York")

    def estimate(issued_at):
        visit = appointment_at(PatientFactory(), dt.datetime(2026, 3, 20, 10, tzinfo=new_york))
        made = estimate_issue_for_visit(
            appointment=visit, reason="scheduled", now=dt.datetime(2026, 3, 2, 9, tzinfo=new_york)
        )
        GoodFaithEstimate.objects.filter(pk=made.pk).update(due_on=due_on, issued_at=issued_at)
        return made

    # 00:30 on 5 March in New York, still 4 March in Chicago: a day late for the office.
    late = estimate(dt.datetime(2026, 3, 5, 0, 30, tzinfo=new_york))
    on_time = estimate(dt.datetime(2026, 3, 4, 23, 30, tzinfo=new_york))
    waiting = estimate(None)
    # 23:30 on 4 March in Chicago is 5 March in New York: the waiting one is now overdue.
    with time_machine.travel(dt.datetime(2026, 3, 4, 23, 30, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        page = admin_client.get("/admin/patients/goodfaithestimate/?deadline=late").content.decode()
    assert late.number in page and waiting.number in page
    assert on_time.number not in page


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
