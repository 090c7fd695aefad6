"""Every write and rule about secure messages: starting a thread, sending, attachments, read
markers and the "new secure message" email (at most one per thread and side per 15 minutes)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from education.models import Article
from patients.messaging.attachments import attachment_check
from patients.messaging.reminders import secure_message_email_schedule
from patients.messaging.selectors import read_marker_for
from patients.models import Attachment, CareItem, Message, Patient, Thread, ThreadReadMarker
from patients.safety.services import care_item_raise
from portal.access import care_team_serves, physicians_licensed_in
from portal.models import User

logger = logging.getLogger(__name__)

EMAIL_INTERVAL = dt.timedelta(minutes=15)
SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 5000


def _may_write(thread: Thread, user: User) -> bool:
    if user.role == User.Role.PATIENT:
        return thread.patient.user_id == user.pk
    return care_team_serves(user, thread.patient.state)


def thread_assignee_choices(thread: Thread, *, now: dt.datetime | None = None) -> QuerySet[User]:
    """Who a conversation can be handed to: the people of the patient's care team today (the
    physicians licensed in the patient's state, and the care coordinators while it is served)."""
    state = thread.patient.state
    licensed = physicians_licensed_in(state, moment=now) if state is not None else []
    coordinators = Q(role=User.Role.COORDINATOR) if state is not None and state.active else Q(pk__in=[])
    return User.objects.filter(Q(pk__in=licensed) | coordinators, is_active=True).order_by(
        "role", "last_name", "first_name", "pk"
    )


@transaction.atomic
def thread_assign(*, thread: Thread, by: User, assignee: User | None, now: dt.datetime | None = None) -> Thread:
    """Hand a conversation to one person of the care team (or back to everyone, with ``None``).
    Only someone who may write in it does this, and only to someone who may too. The new
    assignee is emailed (PHI-free) that a conversation waits for them."""
    now = now or timezone.now()
    thread = Thread.objects.select_for_update(of=("self",)).select_related("patient__state").get(pk=thread.pk)
    if not _may_write(thread, by) or by.role == User.Role.PATIENT:
        raise PermissionDenied("You cannot assign this conversation.")
    if assignee is not None and not thread_assignee_choices(thread, now=now).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": "Choose a physician licensed in the patient's state or a care coordinator."})
    if (assignee.pk if assignee else None) == thread.assigned_to_id:
        return thread
    thread.assigned_to = assignee
    thread.assigned_at = now if assignee else None
    thread.save(update_fields=["assigned_to", "assigned_at"])
    if assignee is not None and assignee.pk != by.pk:
        secure_message_email_schedule(thread=thread, recipient_ids=[assignee.pk], now=now)
    return thread


def messaging_refusal(patient: Patient | None) -> str | None:
    """Why a patient cannot write to the care team yet; None if they can. The care team is the
    physicians licensed where the patient lives, so the state must be known."""
    if patient is None or patient.state_id is None:
        return "Please start your intake first: we need to know where you live to find your care team."
    return None


def _clean_body(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError({"body": f"Please keep a message under {BODY_MAX_LENGTH} characters."})
    if required and not body:
        raise ValidationError({"body": "Write a message."})
    return body


@transaction.atomic
def thread_start(
    *,
    patient: Patient,
    author: User,
    subject: str,
    body: str,
    attachment: UploadedFile | None = None,
    urgent: bool = False,
) -> Thread:
    """A patient opens a conversation with their care team."""
    if author.role != User.Role.PATIENT or patient.user_id != author.pk:
        raise PermissionDenied("Patients start conversations with their own care team.")
    refusal = messaging_refusal(patient)
    if refusal:
        raise ValidationError(refusal)
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": "Give your message a subject."})
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValidationError({"subject": f"Keep the subject under {SUBJECT_MAX_LENGTH} characters."})
    body = _clean_body(body, required=attachment is None)
    now = timezone.now()
    thread = Thread.objects.create(
        patient=patient, subject=subject, created_by=author, created_at=now, last_message_at=now
    )
    message_send(thread=thread, sender=author, body=body, attachment=attachment, now=now, urgent=urgent)
    return thread


@transaction.atomic
def message_send(
    *,
    thread: Thread,
    sender: User,
    body: str,
    attachment: UploadedFile | None = None,
    article_slug: str = "",
    now: dt.datetime | None = None,
    urgent: bool = False,
) -> Message:
    """Add a message to a thread. Messages are final: there is no edit or delete (a correction is a
    new message). A physician may share a published education article with it. A patient may mark
    a message urgent: it then raises an urgent care item, routed like a check-in's red flag
    (docs/domain.md "Safety triage")."""
    if not _may_write(thread, sender):
        raise PermissionDenied("You cannot write in this conversation.")
    kind = attachment_check(attachment) if attachment is not None else None
    article_slug = (article_slug or "").strip()
    if article_slug:
        if sender.role not in (User.Role.PHYSICIAN, User.Role.COORDINATOR):
            raise PermissionDenied("Only the care team shares articles.")
        if not Article.objects.published().filter(slug=article_slug).exists():
            raise ValidationError({"article_slug": "Choose a published article."})
    body = _clean_body(body, required=kind is None and not article_slug)
    now = now or timezone.now()
    from_patient = sender.role == User.Role.PATIENT
    urgent = bool(urgent and from_patient)
    message = Message.objects.create(
        thread=thread,
        sender=sender,
        from_patient=from_patient,
        body=body,
        article_slug=article_slug,
        created_at=now,
        urgent=urgent,
    )
    if urgent:
        care_item_raise(patient=thread.patient, priority=CareItem.Priority.URGENT, reasons=["Message marked urgent"],
                        message=message)  # fmt: skip
    if attachment is not None:
        _attachment_store(message=message, upload=attachment, content_type=kind.content_type, extension=kind.extension)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
    thread.last_message_at = now
    # Your own message is read by you; it must not count as unread on your next visit.
    thread_mark_read(thread=thread, user=sender, at=now)
    _notify_other_side(thread=thread, from_patient=from_patient, now=now)
    return message


def _attachment_store(*, message: Message, upload: UploadedFile, content_type: str, extension: str) -> Attachment:
    """The attachment's row now, its file once the message is committed: a message rolled back
    (here or by a caller's transaction) must leave no patient file on disk. The file is at most
    10 MB and already checked, so it is held in memory until then."""
    original = (upload.name or "attachment").replace("\\", "/").rsplit("/", 1)[-1][:255]
    attachment = Attachment(message=message, original_name=original, content_type=content_type, size=upload.size or 0)
    upload.seek(0)
    content = upload.read()
    attachment.file.name = attachment.file.field.generate_filename(attachment, f"upload{extension}")
    attachment.save()

    def write_file() -> None:
        storage = attachment.file.storage
        try:
            stored = storage.save(attachment.file.name, ContentFile(content))
        except OSError:
            # The message stands; an attachment whose file could not be written is removed.
            Attachment.objects.filter(pk=attachment.pk).delete()
            logger.warning("attachment %s could not be written and was removed", attachment.pk)
            return
        if stored != attachment.file.name:
            Attachment.objects.filter(pk=attachment.pk).update(file=stored)

    transaction.on_commit(write_file)
    return attachment


def thread_mark_read(
    *, thread: Thread, user: User, at: dt.datetime | None = None, shown_up_to: dt.datetime | None = None
) -> dt.datetime | None:
    """Move ``user``'s read marker forward (never back) to ``at``; return where it was before.
    ``shown_up_to`` is the newest message the reader was shown: when the marker is already past
    it, every message shown was read before and nothing is written (a page view of a quiet
    thread costs no write).

    Not wrapped in a transaction: each statement is a single idempotent row write, and two tabs
    racing are settled by the unique constraint (the loser's insert is ignored) and by the
    conditional UPDATE (a marker never moves back)."""
    at = at or timezone.now()
    previous = read_marker_for(thread, user)
    if previous is not None and shown_up_to is not None and previous >= shown_up_to:
        return previous
    if previous is None:
        ThreadReadMarker.objects.bulk_create(
            [ThreadReadMarker(thread=thread, user=user, last_read_at=at)], ignore_conflicts=True
        )
    elif previous < at:
        ThreadReadMarker.objects.filter(thread=thread, user=user, last_read_at__lt=at).update(last_read_at=at)
    return previous


def _claim_email_slot(*, thread: Thread, field: str, now: dt.datetime) -> bool:
    """Take the right to email one side about this thread. The check and the write are one
    conditional UPDATE, so of two messages sent at the same moment only one wins; a check in
    Python followed by a save would let both through."""
    due = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": now - EMAIL_INTERVAL})
    return Thread.objects.filter(due, pk=thread.pk).update(**{field: now}) == 1


def _care_team_recipients(thread: Thread, now: dt.datetime) -> list[int]:
    """Who on the care team hears of a patient's message (docs/domain.md "Care team"):
    - the person the conversation is assigned to, while they may still answer it;
    - otherwise the people of the care team already in the conversation (physicians still
      licensed in the patient's state, coordinators), then the care coordinators (who triage new
      conversations), and with neither, every licensed physician (the practice is one care team).
    An urgent message also raises an urgent care item, which alerts every physician licensed in
    the patient's state whoever the conversation is assigned to (``message_send``)."""
    assignee = thread.assigned_to
    if assignee is not None and _may_write(thread, assignee):
        return [assignee.pk]
    team = thread_assignee_choices(thread, now=now)
    licensed = set(team.filter(role=User.Role.PHYSICIAN).values_list("pk", flat=True))
    coordinators = set(team.filter(role=User.Role.COORDINATOR).values_list("pk", flat=True))
    involved = set(
        Message.objects.filter(thread=thread, from_patient=False).values_list("sender_id", flat=True).distinct()
    )
    return sorted(involved & (licensed | coordinators)) or sorted(coordinators) or sorted(licensed)


def _notify_other_side(*, thread: Thread, from_patient: bool, now: dt.datetime) -> None:
    field = "care_team_notified_at" if from_patient else "patient_notified_at"
    if not _claim_email_slot(thread=thread, field=field, now=now):
        return
    recipients = _care_team_recipients(thread, now) if from_patient else [thread.patient.user_id]
    secure_message_email_schedule(thread=thread, recipient_ids=recipients, now=now)
