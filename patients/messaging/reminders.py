"""The email that says "You have a new secure message in your portal", and nothing more."""

from __future__ import annotations

import datetime as dt

from patients.models import Thread
from patients.reminders import patient_reminder_skip_reason
from portal.models import Reminder, User
from portal.notifications import email_message
from portal.reminders import register_reminder_kind, reminder_schedule

SECURE_MESSAGE_KIND = "secure-message"


def secure_message_email_schedule(*, thread: Thread, recipient_ids: list[int], now: dt.datetime) -> list[Reminder]:
    """One email to each recipient, written in the same transaction as the message: a broker
    outage delays it, never loses it. Each slot (at most one per side and thread every 15
    minutes) has its own key."""
    zone = thread.patient.time_zone_name
    subject = f"patients.thread:{thread.pk}"
    slot = int(now.timestamp())
    return [
        reminder_schedule(
            kind=SECURE_MESSAGE_KIND,
            recipient=recipient,
            subject=subject,
            due_at=now,
            time_zone=zone,
            key=f"{subject}:{SECURE_MESSAGE_KIND}:{recipient.pk}:{slot}",
        )
        for recipient in User.objects.filter(pk__in=recipient_ids)
    ]


def _secure_message_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    thread = Thread.objects.select_related("patient__state").filter(pk=pk).first()
    if thread is None:
        return "conversation removed"
    if reminder.recipient_id == thread.patient.user_id:
        return patient_reminder_skip_reason(thread.patient, reminder.channel)
    return None


def _secure_message_render(reminder: Reminder):
    return email_message(user=reminder.recipient, name="secure-message")


def register() -> None:
    register_reminder_kind(SECURE_MESSAGE_KIND, check=_secure_message_check, render=_secure_message_render)
