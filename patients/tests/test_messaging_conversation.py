"""A thread as a conversation: bubbles on the reader's side and the other side, who wrote each and
when in plain words in the reader's zone, attachments under their message, a "New" marker before
the first unread message, the reply form under the conversation, and unread marks in the lists."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine

from education.models import Article
from patients.messaging.presenters import author_words, when_words
from patients.messaging.services import message_send, thread_start
from patients.tests.test_messaging_attachments import PDF, upload
from portal.tests.signin import sign_in

CHICAGO = "America/Chicago"
# Saturday, December 12, 2026, 3:30 PM in Chicago (CST, UTC-6).
NOW = dt.datetime(2026, 12, 12, 21, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _saturday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(CHICAGO))


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (chicago(2026, 12, 12, 9, 14), "Today 9:14 AM"),
        (chicago(2026, 12, 12, 0, 5), "Today 12:05 AM"),
        (chicago(2026, 12, 11, 23, 59), "Yesterday 11:59 PM"),
        (chicago(2026, 12, 7, 15, 2), "Mon, Dec 7, 3:02 PM"),
        (chicago(2025, 12, 1, 8, 0), "Mon, Dec 1, 2025, 8:00 AM"),
    ],
)
def test_when_words_counts_days_on_the_readers_clock(moment, words):
    assert when_words(moment, CHICAGO, now=NOW) == words


def test_when_words_uses_the_readers_zone_not_utc():
    # 04:30 UTC on the 13th is still the evening of the 12th in Chicago: "Today" there.
    late = dt.datetime(2026, 12, 13, 4, 30, tzinfo=dt.UTC)
    assert when_words(late, CHICAGO, now=late) == "Today 10:30 PM"
    assert when_words(late, "America/New_York", now=late) == "Today 11:30 PM"
    assert when_words(dt.datetime(2026, 12, 12, 18, 0, tzinfo=dt.UTC), "Pacific/Honolulu", now=late) == "Today 8:00 AM"


@pytest.mark.django_db
def test_who_wrote_it_is_said_with_the_role(patient, physician, coordinator):
    physician.first_name, physician.last_name = "Elena", "Rivera"
    words = {
        "reader": author_words(physician, reader=physician, patient_name="Maria Lopez", from_patient=False),
        "physician": author_words(physician, reader=patient.user, patient_name="Maria Lopez", from_patient=False),
        "coordinator": author_words(coordinator, reader=patient.user, patient_name="Maria Lopez", from_patient=False),
        "patient": author_words(patient.user, reader=coordinator, patient_name="Maria Lopez", from_patient=True),
    }
    assert words == {
        "reader": "You",
        "physician": "Dr. Elena Rivera",
        "coordinator": "Care coordinator Nora Quinn",
        "patient": "Maria Lopez",
    }


def bubbles(content: str) -> list[tuple[str, str]]:
    """(side, author) of each bubble, in page order."""
    return re.findall(
        r'<li class="conversation-item is-(mine|theirs)">.*?<strong class="bubble-author">([^<]+)</strong>',
        content,
        flags=re.S,
    )


@pytest.fixture
def conversation(patient, physician, coordinator):
    """A question yesterday, the physician's answer with a PDF and the coordinator's note today."""
    physician.first_name, physician.last_name = "Elena", "Rivera"
    physician.save()
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        thread = thread_start(patient=patient, author=patient.user, subject="Sleep", body="I sleep badly.")
    message_send(
        thread=thread,
        sender=physician,
        body="Try the morning.",
        attachment=upload("sleep plan.pdf", PDF),
        now=NOW - dt.timedelta(hours=6),
    )
    message_send(thread=thread, sender=coordinator, body="Your visit is booked.", now=NOW - dt.timedelta(hours=1))
    return thread


@pytest.mark.django_db
def test_the_patient_reads_bubbles_on_two_sides_with_who_and_when(client, conversation, patient):
    patient.timezone = CHICAGO
    patient.save()
    sign_in(client, patient.user)
    content = client.get(f"/patient/messages/{conversation.pk}/").content.decode()
    assert bubbles(content) == [
        ("mine", "You"),
        ("theirs", "Dr. Elena Rivera"),
        ("theirs", "Care coordinator Nora Quinn"),
    ]
    assert ">Yesterday 3:30 PM</time>" in content and ">Today 9:30 AM</time>" in content
    assert ">Today 2:30 PM</time>" in content
    # the attachment under its message: a link with its name, and its size
    answer = content[content.index("Try the morning.") : content.index("Your visit is booked.")]
    attachment = conversation.messages.get(body="Try the morning.").attachments.get()
    assert f'<a href="/patient/messages/attachments/{attachment.pk}/">sleep plan.pdf</a>' in answer
    assert f"({len(PDF)}" in answer and "bytes)" in answer
    # the reply form comes after the conversation
    assert content.index("Your visit is booked.") < content.index('id="reply-heading"') < content.index("<textarea")


@pytest.mark.django_db
def test_new_marks_the_first_unread_message_once_and_is_gone_after_reading(client, conversation, patient):
    sign_in(client, patient.user)
    content = client.get(f"/patient/messages/{conversation.pk}/").content.decode()
    assert content.count('id="new-messages"') == 1
    # before the physician's answer (the first message from the care team), not before the patient's own
    assert content.index("I sleep badly.") < content.index('id="new-messages"') < content.index("Try the morning.")
    assert '<a href="#new-messages">2 new messages: go to the first</a>' in content
    again = client.get(f"/patient/messages/{conversation.pk}/").content.decode()
    assert 'id="new-messages"' not in again and "#new-messages" not in again
    message_send(
        thread=conversation,
        sender=conversation.messages.last().sender,
        body="One more thing.",
        now=NOW + dt.timedelta(minutes=5),
    )
    later = client.get(f"/patient/messages/{conversation.pk}/").content.decode()
    assert later.index("Your visit is booked.") < later.index('id="new-messages"') < later.index("One more thing.")
    assert '<a href="#new-messages">1 new message: go to the first</a>' in later


@pytest.mark.django_db
def test_the_care_team_sees_its_own_side_on_the_right_and_only_the_patients_messages_as_new(
    client, conversation, patient, physician
):
    message_send(thread=conversation, sender=patient.user, body="Thank you both.")
    sign_in(client, physician)
    content = client.get(f"/clinic/messages/{conversation.pk}/").content.decode()
    assert bubbles(content) == [
        ("theirs", patient.full_name),
        ("mine", "You"),
        ("mine", "Care coordinator Nora Quinn"),
        ("theirs", patient.full_name),
    ]
    # the physician's own answer marked the thread read up to it; the coordinator's is not "new"
    assert content.count('id="new-messages"') == 1
    assert content.index("Your visit is booked.") < content.index('id="new-messages"') < content.index("Thank you")
    attachment = conversation.messages.get(body="Try the morning.").attachments.get()
    assert f'<a href="/clinic/messages/attachments/{attachment.pk}/">sleep plan.pdf</a>' in content


@pytest.mark.django_db
def test_a_shared_article_is_a_link_on_white_inside_the_bubble(client, conversation, patient, physician):
    article = Article.objects.published().order_by("slug").first()
    message_send(thread=conversation, sender=physician, body="", article_slug=article.slug)
    sign_in(client, patient.user)
    content = client.get(f"/patient/messages/{conversation.pk}/").content.decode()
    share = content[content.index('<div class="bubble-share">') :]
    assert share.index("Shared reading") < share.index(f'<a href="/learn/{article.slug}/">')
    assert "bg-body-tertiary" not in content  # the low-contrast box the link was in


@pytest.mark.django_db
def test_the_lists_mark_unread_conversations_and_say_when_in_plain_words(client, conversation, patient, physician):
    patient.timezone = CHICAGO
    patient.save()
    sign_in(client, patient.user)
    listing = client.get("/patient/messages/").content.decode()
    assert re.search(r'thread-list-item is-unread fw-semibold"[^>]*>\s*<span>Sleep', listing)
    assert ">Today 2:30 PM</time>" in listing and "2 unread" in listing
    client.get(f"/patient/messages/{conversation.pk}/")
    listing = client.get("/patient/messages/").content.decode()
    assert "is-unread" not in listing and "unread</span>" not in listing
    message_send(thread=conversation, sender=patient.user, body="Thank you.", now=NOW + dt.timedelta(minutes=5))
    sign_in(client, physician)
    clinic = client.get("/clinic/messages/").content.decode()
    assert "is-unread" in clinic and "1 unread" in clinic
