"""Reads of secure messages that depend on who is asking. All scoping of threads, messages and
attachments lives here."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from education.models import Article
from patients.models import Attachment, Message, Thread, ThreadReadMarker
from portal.access import CARE_TEAM_ROLES, get_scoped_or_404
from portal.models import User
from portal.selectors import care_team_states

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _is_patient(user: User) -> bool:
    return user.role == User.Role.PATIENT


def _threads_in_scope(user: User) -> QuerySet[Thread]:
    """Who sees which threads:
    - a patient: their own;
    - a physician: threads of patients living in a state where the physician holds a license
      active today (the care team of docs/domain.md "Roles and access"), the same rule as the chart;
    - a care coordinator: threads of patients in every state the practice serves;
    - everyone else: none."""
    base = Thread.objects.select_related("patient__user", "patient__state", "assigned_to")
    if not user.is_authenticated:
        return base.none()
    if user.role == User.Role.PATIENT:
        return base.filter(patient__user=user)
    if user.role in (User.Role.PHYSICIAN, User.Role.COORDINATOR):
        return base.filter(patient__state_id__in=care_team_states(user))
    return base.none()


def thread_list_for(user: User) -> QuerySet[Thread]:
    """The threads ``user`` may see (:func:`_threads_in_scope`), each carrying ``unread_count``:
    messages from the other side newer than ``user``'s own read marker."""
    return _with_unread_count(_threads_in_scope(user), user)


def _unread(thread, *, reader_id, reader_is_patient: bool) -> Q:
    """Messages from the other side of ``thread`` (a column reference) newer than the reader's own
    read marker: the one rule for "unread", used per thread and in total."""
    last_read = ThreadReadMarker.objects.filter(thread=thread, user_id=reader_id).values("last_read_at")[:1]
    return Q(from_patient=not reader_is_patient) & Q(
        created_at__gt=Coalesce(Subquery(last_read), Value(EPOCH, output_field=DateTimeField()))
    )


def _with_unread_count(threads: QuerySet[Thread], user: User) -> QuerySet[Thread]:
    unread = (
        Message.objects.filter(
            _unread(OuterRef(OuterRef("pk")), reader_id=user.pk, reader_is_patient=_is_patient(user)),
            thread=OuterRef("pk"),
        )
        .order_by()
        .values("thread")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return threads.annotate(unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def threads_filtered(threads: QuerySet[Thread], *, user: User, show: str = "") -> QuerySet[Thread]:
    """The clinic inbox narrowed for triage: "mine" (assigned to ``user``) or "unassigned"."""
    if show == "mine":
        return threads.filter(assigned_to=user)
    if show == "unassigned":
        return threads.filter(assigned_to__isnull=True)
    return threads


def thread_get_for(user: User, pk: int) -> Thread:
    """One thread in ``user``'s scope, else 404 (the thread page counts nothing unread: it marks
    the thread read)."""
    return get_scoped_or_404(_threads_in_scope(user), pk=pk)


def unread_thread_count_for(user: User, *, show: str = "") -> int:
    """Conversations with messages ``user`` has not read (of those :func:`threads_filtered` keeps)."""
    return threads_filtered(thread_list_for(user), user=user, show=show).filter(unread_count__gt=0).count()


def threads_awaiting_care_team(user: User) -> QuerySet[Thread]:
    """Conversations in ``user``'s scope whose last message is the patient's and that no one on
    the care team has read since, each with ``waiting_since``: the patient's first message after
    the care team's last one. The longest waiting first; one query."""
    team_messages = Message.objects.filter(thread=OuterRef("pk"), from_patient=False).order_by("-created_at")
    read_by_team = ThreadReadMarker.objects.filter(
        thread=OuterRef("pk"), user__role__in=CARE_TEAM_ROLES, last_read_at__gte=OuterRef("last_message_at")
    )
    waiting = (
        Message.objects.filter(thread=OuterRef("pk"), from_patient=True, created_at__gt=OuterRef("team_answered_at"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return (
        _threads_in_scope(user)
        .select_related(None)
        .select_related("patient__user")
        .annotate(
            team_answered_at=Coalesce(
                Subquery(team_messages.values("created_at")[:1]), Value(EPOCH, output_field=DateTimeField())
            )
        )
        .annotate(waiting_since=Subquery(waiting))
        .filter(waiting_since__isnull=False)
        .exclude(Exists(read_by_team))
        .order_by("waiting_since", "pk")
    )


def unread_message_count_for(user: User) -> int:
    """Messages from the other side that ``user`` has not read yet, across all their threads."""
    threads = _threads_in_scope(user).select_related(None).values("pk")
    unread = _unread(OuterRef("thread"), reader_id=user.pk, reader_is_patient=_is_patient(user))
    return Message.objects.filter(unread, thread__in=threads).count()


# What the thread page shows of a message and its sender.
MESSAGE_COLUMNS = (
    *("thread_id", "sender_id", "from_patient", "body", "article_slug", "created_at"),
    *("sender__first_name", "sender__last_name", "sender__email", "sender__role"),
)


def messages_for(thread: Thread) -> list[Message]:
    """A thread's messages, oldest first, with senders and attachments (two queries)."""
    return list(
        Message.objects.filter(thread=thread)
        .select_related("sender")
        .only(*MESSAGE_COLUMNS)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def attachment_get_for(user: User, pk: int) -> Attachment:
    """An attachment of a thread ``user`` may see, else 404."""
    visible = _threads_in_scope(user).select_related(None).values("pk")
    return get_scoped_or_404(
        Attachment.objects.select_related("message__thread__patient__user").filter(message__thread__in=visible),
        pk=pk,
    )


def read_marker_for(thread: Thread, user: User) -> dt.datetime | None:
    return (
        ThreadReadMarker.objects.filter(thread=thread, user=user)
        .order_by("pk")
        .values_list("last_read_at", flat=True)
        .first()
    )


def article_titles(slugs: set[str]) -> dict[str, str]:
    """Titles of the published articles among ``slugs`` (one query). An article unpublished since
    it was shared drops out, and its card says so."""
    if not slugs:
        return {}
    return dict(Article.objects.published().filter(slug__in=slugs).values_list("slug", "title"))
