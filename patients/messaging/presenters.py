"""What a conversation shows its reader: each message as a bubble on the reader's side or the
other side, who wrote it in words ("You", "Dr. Elena Rivera", "Care coordinator Nora Quinn"),
when in plain words in the reader's zone ("Today 9:14 AM", "Yesterday 3:02 PM", "Mon, Dec 1,
9:14 AM"), its shared reading and attachments, and where the unread messages begin. Values only:
the markup is in templates/patients/thread_detail.html. Pure functions over loaded messages (no
queries)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils.formats import date_format

from portal.models import User


def when_words(moment: dt.datetime, zone_name: str, *, now: dt.datetime) -> str:
    """``moment`` as people say it in ``zone_name``, counted from ``now``: "Today 9:14 AM",
    "Yesterday 3:02 PM", "Mon, Dec 1, 9:14 AM" this year, "Mon, Dec 1, 2025, 9:14 AM" before."""
    zone = zoneinfo.ZoneInfo(zone_name)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = date_format(local, "g:i A")
    if local.date() == today:
        return f"Today {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"Yesterday {clock}"
    if local.year == today.year:
        return f"{date_format(local, 'D, M j')}, {clock}"
    return f"{date_format(local, 'D, M j, Y')}, {clock}"


def author_words(sender: User, *, reader: User, patient_name: str, from_patient: bool) -> str:
    """Who wrote a message, for ``reader``: "You", the patient's name, "Dr. Elena Rivera" or
    "Care coordinator Nora Quinn" (a staff member's role before the name, a physician's title)."""
    if sender.pk == reader.pk:
        return "You"
    if from_patient:
        return patient_name
    if sender.role == User.Role.COORDINATOR:
        return f"Care coordinator {sender.get_full_name() or sender.email}"
    return sender.display_name


@dataclass
class Bubble:
    """One message as its reader sees it."""

    message: object  # the Message: its body, attachments (loaded) and time
    author: str
    when: str
    is_mine: bool  # written by the reader's side: the patient for a patient, the care team for staff
    is_new: bool  # unread by the reader until this page
    starts_new: bool = False  # the first unread message: the "New" marker goes before it
    article_slug: str = ""
    article_title: str = ""  # empty when the shared article is no longer published
    attachments: list = field(default_factory=list)


def conversation(
    messages: list,
    *,
    reader: User,
    reader_is_patient: bool,
    patient_name: str,
    previously_read: dt.datetime | None,
    zone_name: str,
    now: dt.datetime,
    article_titles: dict[str, str],
) -> list[Bubble]:
    """The bubbles of a thread, oldest first. Unread is the rule of the thread lists: a message
    from the other side newer than the reader's read marker as it was before this page."""
    bubbles, marked = [], False
    for message in messages:
        mine = message.from_patient == reader_is_patient
        is_new = not mine and (previously_read is None or message.created_at > previously_read)
        bubbles.append(
            Bubble(
                message=message,
                author=author_words(
                    message.sender, reader=reader, patient_name=patient_name, from_patient=message.from_patient
                ),
                when=when_words(message.created_at, zone_name, now=now),
                is_mine=mine,
                is_new=is_new,
                starts_new=is_new and not marked,
                article_slug=message.article_slug,
                article_title=article_titles.get(message.article_slug, "") if message.article_slug else "",
                attachments=list(message.attachments.all()),
            )
        )
        marked = marked or is_new
    return bubbles


def unread_total(bubbles: list[Bubble]) -> int:
    return sum(1 for b in bubbles if b.is_new)
