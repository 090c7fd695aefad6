"""Emails to a pharmacy's staff when something reaches its workspace: PHI-free, to the staff who
asked for them, at any hour (docs/domain.md "Pharmacy notifications")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from portal.models import Reminder
from portal.reminders import render_email
from portal.tests.outbox import deliver_due
from prescriptions.orders import refills
from prescriptions.orders import services as order_services
from prescriptions.pharmacies import notifications as pn
from prescriptions.tests.factories import PharmacyMembershipFactory, advance, make_draft, sign


def rows(kind: str) -> list[Reminder]:
    return list(Reminder.objects.filter(kind=kind).select_related("recipient"))


def assert_phi_free(reminder: Reminder, order) -> str:
    message = render_email(reminder)
    html = message.alternatives[0][0] if message.alternatives else ""
    text = f"{message.subject}\n{message.body}\n{html}"
    forbidden = [
        order.patient_name, order.patient.legal_last_name, order.patient.legal_first_name, "altrexone", "LDN", " mg",
        "mL", order.sig, order.number, order.indication_code, order.indication_text,
    ]  # fmt: skip
    assert [word for word in forbidden if word and word in text] == []
    assert "/pharmacy/" in text
    return message.subject


def test_a_new_order_emails_the_pharmacys_staff(sent_order, pharmacy_user):
    [reminder] = rows(pn.NEW_ORDER)
    assert reminder.recipient == pharmacy_user
    assert assert_phi_free(reminder, sent_order) == "A new order is waiting in your pharmacy workspace"


def test_the_physicians_answer_emails_the_pharmacy(sent_order, pharmacy_user, physician):
    order = advance(sent_order, pharmacy_user, "received", "in_review", "needs_clarification")
    order_services.order_transition(order=order, actor=physician, to="in_review", note="Yes, 1 mg/mL.")
    [reminder] = rows(pn.ANSWER)
    assert reminder.recipient == pharmacy_user
    assert "answered" in assert_phi_free(reminder, order)


def test_a_second_answer_on_one_order_is_a_second_email(sent_order, pharmacy_user, physician):
    order = sent_order
    for _ in range(2):
        order = advance(order, pharmacy_user, *(["received", "in_review"] if order.status == "sent" else []))
        order = advance(order, pharmacy_user, "needs_clarification")
        order = order_services.order_transition(order=order, actor=physician, to="in_review", note="Answer")
    assert len(rows(pn.ANSWER)) == 2


def test_cancelling_an_order_the_pharmacy_has_emails_it(sent_order, pharmacy_user, physician):
    order_services.order_transition(order=sent_order, actor=physician, to="cancelled", note="Patient moved.")
    [reminder] = rows(pn.CANCELLED)
    assert "cancelled" in assert_phi_free(reminder, sent_order)


def test_cancelling_a_draft_or_a_held_order_emails_no_pharmacy(draft, physician, tx_pharmacy):
    held = sign(make_draft(draft.plan, physician), physician, deliver=False)
    order_services.order_transition(order=held, actor=physician, to="cancelled", note="Not needed.")
    order_services.order_transition(order=draft, actor=physician, to="cancelled")
    assert not Reminder.objects.filter(kind__startswith="pharmacy-").exists()


def test_an_approved_refill_reaching_the_pharmacy_is_a_refill_email(sent_order, pharmacy_user, physician):
    order = advance(sent_order, pharmacy_user, "received", "in_review", "compounding", "shipped")
    request = refills.refill_request_create(order=order, patient=order.patient)
    new_order = refills.refill_request_approve(refill_request=request, physician=physician)
    assert not rows(pn.REFILL_ORDER)  # a draft has not reached the pharmacy yet
    sign(new_order, physician)
    [reminder] = rows(pn.REFILL_ORDER)
    assert reminder.recipient == pharmacy_user
    assert "refill order" in assert_phi_free(reminder, new_order)


def test_only_staff_who_asked_for_order_emails_get_them(draft, physician, tx_pharmacy, pharmacy_user):
    quiet = PharmacyMembershipFactory(pharmacy=tx_pharmacy, receives_order_notifications=False)
    inactive = PharmacyMembershipFactory(pharmacy=tx_pharmacy)
    inactive.user.is_active = False
    inactive.user.save()
    colleague = PharmacyMembershipFactory(pharmacy=tx_pharmacy)
    other_pharmacy = PharmacyMembershipFactory()
    sign(draft, physician)
    recipients = {r.recipient for r in rows(pn.NEW_ORDER)}
    assert recipients == {pharmacy_user, colleague.user}
    assert quiet.user not in recipients and other_pharmacy.user not in recipients


def test_turning_order_emails_off_skips_one_already_waiting(sent_order, pharmacy_user):
    pharmacy_user.pharmacy_membership.receives_order_notifications = False
    pharmacy_user.pharmacy_membership.save()
    deliver_due()
    [reminder] = rows(pn.NEW_ORDER)
    assert reminder.status == Reminder.Status.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db
def test_pharmacy_emails_go_out_at_night_quiet_hours_do_not_apply(draft, physician, tx_pharmacy, pharmacy_user):
    # 23:30 in Chicago: a patient's reminder would wait until 08:00, a pharmacy's does not.
    night = dt.datetime(2026, 12, 7, 5, 30, tzinfo=dt.UTC)
    with time_machine.travel(night, tick=False):
        draft.supply_start = draft.patient.today()
        draft.save(update_fields=["supply_start"])
        sign(draft, physician)
        [reminder] = rows(pn.NEW_ORDER)
        assert reminder.due_at == night
        deliver_due(now=night)
    assert [m.to for m in mail.outbox if "pharmacy workspace" in m.subject] == [[pharmacy_user.email]]
