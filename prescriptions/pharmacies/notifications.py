"""Emails to a pharmacy's staff that something is waiting in the pharmacy's workspace: a new
order, a refill order, the physician's answer to a question, a cancelled order (docs/domain.md
"Pharmacy notifications"). Written to the outbox in the transaction of the order's change; they
name no patient, medicine or dose, and are sent at any hour: pharmacies are businesses, not
patients, so quiet hours do not apply."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from portal.models import Reminder
from portal.notifications import email_message
from portal.reminders import register_reminder_kind, reminder_schedule
from prescriptions.models import OrderEvent, PharmacyMembership, PrescriptionOrder

NEW_ORDER = "pharmacy-new-order"
REFILL_ORDER = "pharmacy-refill-order"
ANSWER = "pharmacy-answer"
CANCELLED = "pharmacy-order-cancelled"
PHARMACY_KINDS = (NEW_ORDER, REFILL_ORDER, ANSWER, CANCELLED)


def _wanting_order_emails():
    """Memberships of active staff of an active pharmacy who asked for order emails (the
    per-person setting in the admin): the one rule for sending and for still sending."""
    return PharmacyMembership.objects.filter(
        pharmacy__active=True, receives_order_notifications=True, user__is_active=True
    )


def notification_recipients(pharmacy_id: int) -> list[PharmacyMembership]:
    """The pharmacy's staff who get its order emails."""
    return list(_wanting_order_emails().filter(pharmacy_id=pharmacy_id).select_related("user"))


def pharmacy_notify(*, order: PrescriptionOrder, event: OrderEvent, kind: str) -> list[Reminder]:
    """One email per recipient of the order's pharmacy, due now, keyed by the event so that two
    answers on one order are two emails. Only ids go into the row."""
    if kind not in PHARMACY_KINDS:
        raise ValueError(f"unknown pharmacy notification {kind!r}")
    if order.pharmacy_id is None:
        return []
    subject = f"prescriptions.prescriptionorder:{order.pk}"
    return [
        reminder_schedule(
            kind=kind,
            recipient=membership.user,
            subject=subject,
            due_at=timezone.now(),
            time_zone=settings.TIME_ZONE,
            key=f"prescriptions.orderevent:{event.pk}:{kind}:{membership.user_id}",
        )
        for membership in notification_recipients(order.pharmacy_id)
    ]


def _pharmacy_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    order = PrescriptionOrder.objects.filter(pk=pk).only("pharmacy_id").first()
    if order is None:
        return "order removed"
    if not _wanting_order_emails().filter(user_id=reminder.recipient_id, pharmacy_id=order.pharmacy_id).exists():
        return "no longer receives this pharmacy's order emails"
    return None


def _pharmacy_render(reminder: Reminder) -> EmailMessage:
    workspace_url = settings.SITE_URL + reverse("prescriptions:pharmacy_home")
    return email_message(user=reminder.recipient, name=reminder.kind, context={"workspace_url": workspace_url})


def register() -> None:
    register_reminder_kind(*PHARMACY_KINDS, check=_pharmacy_check, render=_pharmacy_render, quiet_hours=False)
