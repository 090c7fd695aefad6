"""The email to physicians when a patient needs attention: "A patient needs attention in the
portal", nothing more; sent at any hour (urgent), skipped once the item is resolved."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from patients.models import CareItem
from portal.models import Reminder, User
from portal.reminders import register_reminder_kind, reminder_schedule

URGENT_KIND = "care-item-urgent"


def care_item_subject(item: CareItem) -> str:
    return f"patients.careitem:{item.pk}"


def care_item_alert_schedule(item: CareItem, physician_ids: list[int]) -> list[Reminder]:
    now = timezone.now()
    return [
        reminder_schedule(
            kind=URGENT_KIND,
            recipient=physician,
            subject=care_item_subject(item),
            due_at=now,
            time_zone=settings.TIME_ZONE,  # sent at any hour: the zone does not hold it
        )
        for physician in User.objects.filter(pk__in=physician_ids)
    ]


def _care_item_check(reminder: Reminder) -> str | None:
    _, _, pk = reminder.subject.partition(":")
    item = CareItem.objects.filter(pk=pk).only("resolved_at").first()
    if item is None:
        return "item removed"
    if not item.is_open:
        return "item already resolved"
    return None


def register() -> None:
    register_reminder_kind(URGENT_KIND, check=_care_item_check, quiet_hours=False)
