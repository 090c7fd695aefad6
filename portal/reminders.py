"""The reminder engine (DESIGN.md §4 "Follow-ups and reminders").

- Apps *schedule* rows with :func:`reminder_schedule` (idempotent by key) and cancel them with
  :func:`reminders_cancel`. A request only writes rows: it never talks to the broker.
- Beat runs :func:`reminders_dispatch` every minute: it claims due rows in batches with
  ``SELECT … FOR UPDATE SKIP LOCKED``, marks them queued and, after commit, publishes one send task
  per chunk of ids. Weeks-ahead work is never a Celery ETA task (on Redis those come back after
  the visibility timeout); rows simply wait in the database until due.
- The sender (:func:`reminder_send`) locks the row, re-checks it is still queued, renders and
  delivers, and marks it sent in the same transaction, so a duplicate task or a redelivered message
  delivers nothing twice. Rows left queued by a lost message are put back to pending after
  ``REMINDER_REQUEUE_AFTER_SECONDS``.
- Sends happen only between 08:00 and 20:00 in the recipient's time zone; outside it the row is
  held until 08:00.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import Reminder, User
from portal.notifications import email_send_to_user
from portal.sms import get_sms_backend

logger = logging.getLogger(__name__)

QUIET_START_HOUR = 20  # no sends from 20:00 …
QUIET_END_HOUR = 8  # … until 08:00, recipient's local time

# kind → callable(reminder) -> skip reason or None. Apps register theirs in AppConfig.ready().
_CHECKS: dict[str, Callable[[Reminder], str | None]] = {}


def register_reminder_check(*kinds: str, check: Callable[[Reminder], str | None]) -> None:
    for kind in kinds:
        _CHECKS[kind] = check


def within_sending_hours(moment: dt.datetime, time_zone: str) -> bool:
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return QUIET_END_HOUR <= local.hour < QUIET_START_HOUR


def next_sending_time(moment: dt.datetime, time_zone: str) -> dt.datetime:
    """``moment`` if it is within sending hours, else the next 08:00 in ``time_zone`` (in UTC)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if QUIET_END_HOUR <= local.hour < QUIET_START_HOUR:
        return moment
    day = local.date() if local.hour < QUIET_END_HOUR else local.date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(QUIET_END_HOUR), tzinfo=zone)
    return opening.astimezone(dt.UTC)


def local_moment(day: dt.date, hour: int, time_zone: str) -> dt.datetime:
    """``hour``:00 on ``day`` in ``time_zone``, as an aware datetime (daylight saving handled)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(time_zone))


def reminder_key(*, subject: str, kind: str, recipient_id: int, channel: str = Reminder.Channel.EMAIL) -> str:
    return f"{subject}:{kind}:{channel}:{recipient_id}"


@transaction.atomic
def reminder_schedule(
    *,
    kind: str,
    recipient: User,
    subject: str,
    due_at: dt.datetime,
    time_zone: str,
    channel: str = Reminder.Channel.EMAIL,
) -> Reminder:
    """Create the reminder, or move a still-pending one to the new time. Sent, failed and skipped
    rows are history and are left alone."""
    due_at = next_sending_time(due_at, time_zone)
    key = reminder_key(subject=subject, kind=kind, recipient_id=recipient.pk, channel=channel)
    reminder, created = Reminder.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "channel": channel,
            "recipient": recipient,
            "subject": subject,
            "due_at": due_at,
            "time_zone": time_zone,
        },
    )
    if not created and reminder.status == Reminder.Status.PENDING and reminder.due_at != due_at:
        Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.PENDING).update(
            due_at=due_at, time_zone=time_zone
        )
        reminder.due_at = due_at
    return reminder


def reminders_cancel(*, subject: str, kinds: Iterable[str] | None = None, reason: str = "no longer needed") -> int:
    """Skip the still-pending reminders about ``subject`` (all kinds, or the ones given)."""
    rows = Reminder.objects.filter(subject=subject, status=Reminder.Status.PENDING)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(status=Reminder.Status.SKIPPED, status_reason=reason[:200])


def _publish(ids: list[int]) -> None:
    """Publish send tasks for claimed ids, in chunks. If the broker is unreachable the rows go
    back to pending so the next run picks them up: nothing is lost while Redis is down."""
    from portal.tasks import send_reminders

    chunk = settings.REMINDER_SEND_CHUNK
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        try:
            send_reminders.apply_async(args=[part], retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: give the rows back, try next minute
            Reminder.objects.filter(pk__in=ids[start:], status=Reminder.Status.QUEUED).update(
                status=Reminder.Status.PENDING, queued_at=None
            )
            logger.warning("broker unreachable: %s reminders returned to pending", len(ids) - start)
            return


def reminders_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queued rows whose message was lost (a broker restart, a worker killed before it acked
    nothing useful) go back to pending; the sender's lock makes a late duplicate harmless."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    return Reminder.objects.filter(status=Reminder.Status.QUEUED, queued_at__lt=cutoff).update(
        status=Reminder.Status.PENDING, queued_at=None
    )


def reminders_dispatch(*, now: dt.datetime | None = None, batch_size: int | None = None) -> int:
    """Claim every due reminder, batch by batch, and publish their sends after each commit.
    Two dispatchers at once (two beats, two workers) never claim the same row."""
    now = now or timezone.now()
    batch_size = batch_size or settings.REMINDER_DISPATCH_BATCH
    reminders_requeue_stale(now=now)
    claimed_total = 0
    while True:
        with transaction.atomic():
            ids = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(status=Reminder.Status.PENDING, due_at__lte=now)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            Reminder.objects.filter(pk__in=ids).update(status=Reminder.Status.QUEUED, queued_at=now)
            transaction.on_commit(lambda ids=ids: _publish(ids))
        claimed_total += len(ids)
        if len(ids) < batch_size:
            break
    return claimed_total


def _deliver(reminder: Reminder) -> None:
    user = reminder.recipient
    if reminder.channel == Reminder.Channel.SMS:
        body = render_sms(reminder)
        get_sms_backend().send(to=user.phone, body=body, user_id=user.pk, kind=reminder.kind)
    else:
        email_send_to_user(user=user, name=f"reminder-{reminder.kind}")


def render_sms(reminder: Reminder) -> str:
    from django.template.loader import render_to_string

    return render_to_string("emails/reminder-sms.txt", {"site_url": settings.SITE_URL}).strip()


def _skip_reason(reminder: Reminder) -> str | None:
    user = reminder.recipient
    if not user.is_active:
        return "recipient account is disabled"
    if reminder.channel == Reminder.Channel.SMS and not user.phone:
        return "no phone number for text messages"
    check = _CHECKS.get(reminder.kind)
    return check(reminder) if check else None


def reminder_send(reminder_id: int, *, now: dt.datetime | None = None) -> str:
    """Deliver one queued reminder at most once. Returns the resulting status."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=reminder_id, status=Reminder.Status.QUEUED)
            .first()
        )
        if reminder is None:
            return "not-queued"  # already sent, skipped, or claimed again elsewhere
        if not within_sending_hours(now, reminder.time_zone):
            reminder.status = Reminder.Status.PENDING
            reminder.due_at = next_sending_time(now, reminder.time_zone)
            reminder.queued_at = None
            reminder.save(update_fields=["status", "due_at", "queued_at"])
            return Reminder.Status.PENDING
        reason = _skip_reason(reminder)
        if reason:
            reminder.status, reminder.status_reason = Reminder.Status.SKIPPED, reason[:200]
            reminder.save(update_fields=["status", "status_reason"])
            return Reminder.Status.SKIPPED
        reminder.attempts += 1
        _deliver(reminder)
        reminder.status, reminder.sent_at, reminder.status_reason = Reminder.Status.SENT, now, ""
        reminder.save(update_fields=["status", "sent_at", "status_reason", "attempts"])
    return Reminder.Status.SENT


def reminder_mark_failed(reminder_id: int, *, reason: str) -> None:
    Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.QUEUED).update(
        status=Reminder.Status.FAILED, status_reason=reason[:200]
    )


# Ids per UPDATE when many rows are resent at once: PostgreSQL takes at most 65,535 parameters.
RESEND_CHUNK = 5000


def reminders_resend(*, ids: Iterable[int]) -> int:
    """Admin action: put failed reminders back in the queue, due now (in chunks, so "select all"
    after a long outage works however many rows failed)."""
    ids, now, count = list(ids), timezone.now(), 0
    for start in range(0, len(ids), RESEND_CHUNK):
        count += Reminder.objects.filter(
            pk__in=ids[start : start + RESEND_CHUNK], status=Reminder.Status.FAILED
        ).update(status=Reminder.Status.PENDING, due_at=now, status_reason="resent by an admin", attempts=0)
    return count
