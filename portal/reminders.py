"""The reminder engine and outbox: every email and text the portal sends goes through it
(docs/architecture.md "Reminders and the outbox").

- Apps register each kind of message with :func:`register_reminder_kind` (a check that may skip a
  row that no longer applies, a renderer, whether quiet hours apply), *schedule* rows with
  :func:`reminder_schedule` (idempotent by key) and cancel them with :func:`reminders_cancel`.
  A request only writes rows: it never talks to the broker.
- Beat runs :func:`reminders_dispatch` every minute: it claims due rows in batches with
  ``SELECT … FOR UPDATE SKIP LOCKED``, marks them queued and, after commit, publishes one send task
  per chunk of ids. Weeks-ahead work is never a Celery ETA task (on Redis those come back after
  the visibility timeout); rows simply wait in the database until due.
- The sender (:func:`reminders_send`) works a claimed chunk at once: it locks the chunk's rows
  that are still queued (skipping rows another sender holds), renders them, delivers them over one
  connection and marks them sent, in one transaction. A duplicate task or a redelivered message
  finds the rows sent or locked and delivers nothing twice.
- What it guarantees: nothing is lost, and a message is delivered at least once. A process killed
  after handing a chunk's emails to the mail server but before its commit leaves those rows
  queued, so they are delivered again: duplicates are limited to the chunk in flight on a killed
  process. Rows a killed sender held go back to pending after ``REMINDER_REQUEUE_AFTER_SECONDS``
  (its row locks vanish with its connection; a live sender's locks make the requeue wait and then
  skip its rows).
- Sends happen only between 08:00 and 20:00 in the recipient's time zone; outside it the row is
  held until 08:00.
- A message whose content is fixed when it is written (an account email with its link) is
  *sealed* into its row (:func:`sealed_email_send`): encrypted, handed to a worker as soon as the
  request commits, and erased once it is sent or skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, Replace
from django.template.loader import render_to_string
from django.utils import timezone

from portal.crypto import decrypt_secret, encrypt_secret
from portal.models import Reminder, User
from portal.notifications import email_message
from portal.sms import SMSSendError, get_sms_backend

logger = logging.getLogger(__name__)

QUIET_START_HOUR = 20  # no sends from 20:00 …
QUIET_END_HOUR = 8  # … until 08:00, recipient's local time


@dataclass(frozen=True)
class ReminderKind:
    """How the engine treats one kind of message.

    ``check(reminder)`` returns why a row no longer applies (it is then skipped) or None;
    ``render(reminder)`` returns the email to send (default: templates/emails/reminder-<kind>-*,
    which say only that there is something in the portal); ``quiet_hours`` holds sends between
    20:00 and 08:00 in the recipient's zone (a confirmation of what the person just did is not)."""

    check: Callable[[Reminder], str | None] | None = None
    render: Callable[[Reminder], EmailMessage] | None = None
    quiet_hours: bool = True


# kind → how it is checked and rendered. Apps register theirs in AppConfig.ready().
_KINDS: dict[str, ReminderKind] = {}


def register_reminder_kind(
    *kinds: str,
    check: Callable[[Reminder], str | None] | None = None,
    render: Callable[[Reminder], EmailMessage] | None = None,
    quiet_hours: bool = True,
) -> None:
    for kind in kinds:
        _KINDS[kind] = ReminderKind(check=check, render=render, quiet_hours=quiet_hours)


def _kind(kind: str) -> ReminderKind:
    return _KINDS.get(kind, ReminderKind())


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
    key: str | None = None,
) -> Reminder:
    """Create the reminder, or move a still-pending one to the new time. Sent, failed and skipped
    rows are history and are left alone. ``key`` (default: subject, kind, channel and recipient)
    names what makes two reminders the same one."""
    if _kind(kind).quiet_hours:
        due_at = next_sending_time(due_at, time_zone)
    custom_key = key
    key = key or reminder_key(subject=subject, kind=kind, recipient_id=recipient.pk, channel=channel)
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
    if (
        channel == Reminder.Channel.EMAIL
        and kind in settings.SMS_REMINDER_KINDS
        and recipient.phone
        and recipient.phone_verified_at
    ):
        # The same reminder by text to a verified number; the app's check skips it at send time if
        # the person has texts off (README "Text messages").
        reminder_schedule(
            kind=kind,
            recipient=recipient,
            subject=subject,
            due_at=due_at,
            time_zone=time_zone,
            channel=Reminder.Channel.SMS,
            key=f"{custom_key}:sms" if custom_key else None,
        )
    return reminder


def reminders_cancel(*, subject: str, kinds: Iterable[str] | None = None, reason: str = "no longer needed") -> int:
    """Skip the still-pending reminders about ``subject`` (all kinds, or the ones given)."""
    rows = Reminder.objects.filter(subject=subject, status=Reminder.Status.PENDING)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(status=Reminder.Status.SKIPPED, status_reason=reason[:200])


PORTAL_UPDATE = "portal-update"

# Portal updates wait this long for others to the same person, which then go in the same email.
PORTAL_UPDATE_COALESCE = dt.timedelta(minutes=2)


def portal_update_notify(*, user_id: int, time_zone: str | None = None) -> Reminder:
    """Tell a person their portal has an update ("You have an update in your portal", nothing
    more). Updates that come while one is still waiting to be sent join it: a physician's
    busy minute with one patient makes one email, not nine. Only a row is written here."""
    zone = time_zone or settings.TIME_ZONE
    now = timezone.now()
    reminder, _ = Reminder.objects.get_or_create(
        # One waiting update per person: the key is released when the row is sent or skipped.
        key=f"portal.user:{user_id}:portal-update:waiting",
        defaults={
            "kind": PORTAL_UPDATE,
            "recipient_id": user_id,
            "subject": f"portal.user:{user_id}",
            "due_at": next_sending_time(now + PORTAL_UPDATE_COALESCE, zone),
            "time_zone": zone,
        },
    )
    return reminder


Publisher = Callable[[list[int]], None]


def _publish(ids: list[int], publish: Publisher) -> None:
    """Publish send tasks for claimed ids, in chunks (``publish`` comes from portal.tasks, which
    owns the tasks: the engine imports none). If the broker is unreachable the rows go back to
    pending so the next run picks them up: nothing is lost while Redis is down."""
    chunk = settings.REMINDER_SEND_CHUNK
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        try:
            publish(part)
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


def reminders_dispatch(*, publish: Publisher, now: dt.datetime | None = None, batch_size: int | None = None) -> int:
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
            transaction.on_commit(lambda ids=ids: _publish(ids, publish))
        claimed_total += len(ids)
        if len(ids) < batch_size:
            break
    return claimed_total


def _seal(message: EmailMessage) -> str:
    alternatives = [list(alt) for alt in getattr(message, "alternatives", [])]
    content = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
    }
    return encrypt_secret(json.dumps(content))


def _unseal(sealed: str) -> EmailMessage:
    content = json.loads(decrypt_secret(sealed))
    message = EmailMultiAlternatives(
        subject=content["subject"],
        body=content["body"],
        from_email=content["from_email"],
        to=content["to"],
        reply_to=content["reply_to"],
        headers=content["headers"],
    )
    for alternative, mimetype in content["alternatives"]:
        message.attach_alternative(alternative, mimetype)
    return message


def sealed_email_send(
    message: EmailMessage, *, kind: str, recipient: User | None, publish: Publisher, time_zone: str | None = None
) -> Reminder:
    """Queue an email that is already rendered. Its content (a link that signs a person in) is
    encrypted in the row until it is sent. It goes to a worker as soon as the surrounding
    transaction commits; if the broker is down then, the next dispatch sends it. If the
    transaction rolls back, there is nothing to send."""
    reminder = Reminder.objects.create(
        key=f"sealed:{kind}:{uuid.uuid4().hex}",
        kind=kind,
        recipient=recipient,
        subject=f"portal.user:{recipient.pk}" if recipient else "",
        due_at=timezone.now(),
        time_zone=time_zone or settings.TIME_ZONE,
        sealed_message=_seal(message),
    )
    transaction.on_commit(lambda: reminders_claim([reminder.pk], publish=publish))
    return reminder


def reminders_claim(reminder_ids: list[int], *, publish: Publisher) -> list[int]:
    """Claim these pending rows now (not at the next dispatch) and publish their send."""
    with transaction.atomic():
        ids = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk__in=reminder_ids, status=Reminder.Status.PENDING)
            .values_list("pk", flat=True)
        )
        Reminder.objects.filter(pk__in=ids).update(status=Reminder.Status.QUEUED, queued_at=timezone.now())
        transaction.on_commit(lambda: _publish(ids, publish) if ids else None)
    return ids


def render_email(reminder: Reminder) -> EmailMessage:
    if reminder.sealed_message:
        return _unseal(reminder.sealed_message)
    render = _kind(reminder.kind).render
    if render is not None:
        return render(reminder)
    return email_message(user=reminder.recipient, name=f"reminder-{reminder.kind}")


def render_sms(reminder: Reminder) -> str:
    """The same words for every kind: there is something in the portal, and how to stop texts."""
    return render_to_string("emails/reminder-sms.txt", {"site_url": settings.SITE_URL}).strip()


def _skip_reason(reminder: Reminder) -> str | None:
    user = reminder.recipient  # None only for an account email to an address with no account
    if user is not None and not user.is_active:
        return "recipient account is disabled"
    if reminder.channel == Reminder.Channel.SMS and not (user and user.phone):
        return "no phone number for text messages"
    if reminder.channel == Reminder.Channel.SMS and not user.phone_verified_at:
        return "the phone number is not verified"
    check = _kind(reminder.kind).check
    return check(reminder) if check else None


def _release_waiting_keys(reminder_ids: list[int]) -> None:
    """A coalescing row gives up its "waiting" key once it leaves pending for good (sent, skipped
    or failed), so the next update to the same person starts a new row."""
    released = Replace(F("key"), Value(":waiting"), Concat(Value(":"), Cast(F("pk"), CharField())))
    Reminder.objects.filter(pk__in=reminder_ids, key__endswith=":waiting").update(key=released)


def reminders_send(reminder_ids: list[int], *, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Deliver a claimed chunk of queued reminders. Returns the ids by outcome: "sent",
    "skipped", "held" (quiet hours: back to pending until 08:00), "failed" (delivery raised; left
    queued for the task to retry) and "not_queued" (sent already, or locked by another sender)."""
    now = now or timezone.now()
    outcome: dict[str, list[int]] = {"sent": [], "skipped": [], "held": [], "failed": [], "not_queued": []}
    with transaction.atomic():
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk__in=reminder_ids, status=Reminder.Status.QUEUED)
            .order_by("pk")
        )
        found = {r.pk for r in rows}
        outcome["not_queued"] = [pk for pk in reminder_ids if pk not in found]
        to_send: list[tuple[Reminder, EmailMessage | str]] = []
        for reminder in rows:
            if _kind(reminder.kind).quiet_hours and not within_sending_hours(now, reminder.time_zone):
                reminder.due_at = next_sending_time(now, reminder.time_zone)
                outcome["held"].append(reminder.pk)
                continue
            reason = _skip_reason(reminder)
            if reason:
                reminder.status_reason = reason[:200]
                outcome["skipped"].append(reminder.pk)
                continue
            if reminder.channel == Reminder.Channel.SMS:
                to_send.append((reminder, render_sms(reminder)))
            else:
                to_send.append((reminder, render_email(reminder)))
        _deliver_all(to_send, outcome, now=now)
        _record_outcomes(rows, outcome, now=now)
    return outcome


def _record_outcomes(rows: list[Reminder], outcome: dict[str, list[int]], *, now: dt.datetime) -> None:
    """A few UPDATEs for the whole chunk, one per kind of outcome (per skip reason, per held-until
    time): a row-by-row write of a hundred rows costs more than sending them."""
    by_pk = {r.pk: r for r in rows}
    if outcome["sent"]:
        Reminder.objects.filter(pk__in=outcome["sent"]).update(
            status=Reminder.Status.SENT, sent_at=now, status_reason="", attempts=F("attempts") + 1, sealed_message=""
        )
    for reason in {by_pk[pk].status_reason for pk in outcome["skipped"]}:
        ids = [pk for pk in outcome["skipped"] if by_pk[pk].status_reason == reason]
        Reminder.objects.filter(pk__in=ids).update(
            status=Reminder.Status.SKIPPED, status_reason=reason, sealed_message=""
        )
    for due_at in {by_pk[pk].due_at for pk in outcome["held"]}:
        ids = [pk for pk in outcome["held"] if by_pk[pk].due_at == due_at]
        Reminder.objects.filter(pk__in=ids).update(status=Reminder.Status.PENDING, queued_at=None, due_at=due_at)
    if outcome["sent"] or outcome["skipped"]:
        _release_waiting_keys(outcome["sent"] + outcome["skipped"])


def _deliver_all(to_send: list[tuple[Reminder, EmailMessage | str]], outcome: dict, *, now: dt.datetime) -> None:
    """Emails over one mail-server connection, texts through the SMS backend. A delivery that
    raises leaves its row (and the rest of the chunk) queued for a retry; those already handed
    over are marked sent."""
    emails = [(r, m) for r, m in to_send if r.channel == Reminder.Channel.EMAIL]
    texts = [(r, m) for r, m in to_send if r.channel == Reminder.Channel.SMS]
    pending = [r for r, _ in to_send]
    try:
        if emails:
            with get_connection() as connection:
                for reminder, message in emails:
                    message.connection = connection
                    connection.send_messages([message])
                    _mark_sent(reminder, now, outcome)
                    pending.remove(reminder)
        sms = get_sms_backend() if texts else None
        for reminder, body in texts:
            user = reminder.recipient
            sms.send(to=user.phone, body=body, user_id=user.pk, kind=reminder.kind, reference=f"reminder-{reminder.pk}")
            _mark_sent(reminder, now, outcome)
            pending.remove(reminder)
    except (OSError, smtplib.SMTPException, SMSSendError) as exc:
        logger.warning("delivery failed for %s reminders: %s", len(pending), type(exc).__name__)
        outcome["failed"].extend(r.pk for r in pending)


def _mark_sent(reminder: Reminder, now: dt.datetime, outcome: dict) -> None:
    outcome["sent"].append(reminder.pk)


def reminders_mark_failed(reminder_ids: list[int], *, reason: str) -> None:
    """After the last retry: failed, for an admin to resend (a waiting update gives up its key)."""
    failed = list(
        Reminder.objects.filter(pk__in=reminder_ids, status=Reminder.Status.QUEUED).values_list("pk", flat=True)
    )
    Reminder.objects.filter(pk__in=failed).update(status=Reminder.Status.FAILED, status_reason=reason[:200])
    _release_waiting_keys(failed)


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


SEND_OUTCOME_WORDS = {"sent": "sent", "skipped": "skipped", "held": "pending", "failed": "queued"}


def reminder_send(reminder_id: int, *, now: dt.datetime | None = None) -> str:
    """:func:`reminders_send` for one row; returns its status afterwards ("not-queued" when it
    was not waiting to be sent)."""
    outcome = reminders_send([reminder_id], now=now)
    return next((SEND_OUTCOME_WORDS[key] for key in SEND_OUTCOME_WORDS if outcome[key]), "not-queued")
