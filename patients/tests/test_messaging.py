"""Secure messaging: threads, replies, unread counts, the throttled email without content,
article sharing, the access audit and the access matrix."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from education.models import Article
from patients.messaging.selectors import unread_message_count_for
from patients.messaging.services import _claim_email_slot, message_send, thread_start
from patients.models import Message, Thread, ThreadReadMarker
from patients.tests.factories import PatientFactory
from portal.models import AccessLog, Reminder
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in

NOTICE = "You have a new secure message in your portal"


@pytest.fixture
def thread(patient, physician):
    return thread_start(patient=patient, author=patient.user, subject="Sleep", body="I sleep badly.")


def emails_to(user):
    """The secure-message emails waiting in the outbox for ``user`` (sent by the reminder engine)."""
    return list(Reminder.objects.filter(kind="secure-message", recipient=user))


def delivered_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


# 11:00 or noon in Texas tomorrow: within sending hours, and after anything the fixtures wrote.
DAYTIME = (timezone.now() + dt.timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)


def published_slug():
    return Article.objects.published().order_by("slug").values_list("slug", flat=True).first()


# --- Works ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_writes_to_the_care_team_and_licensed_physicians_are_told_without_content(
    client, patient, physician, outsider_physician, django_capture_on_commit_callbacks
):
    sign_in(client, patient.user)
    response = client.post(
        "/patient/messages/", {"subject": "Vivid dreams on LDN", "body": "Since 1.5 mg I dream a lot."}
    )
    with time_machine.travel(DAYTIME, tick=False):
        deliver_due()
    thread = Thread.objects.get()
    assert response["Location"] == f"/patient/messages/{thread.pk}/"
    message = thread.messages.get()
    assert (message.sender, message.from_patient, message.body) == (patient.user, True, "Since 1.5 mg I dream a lot.")
    (email,) = delivered_to(physician)
    assert email.subject == NOTICE
    everything = email.subject + email.body + email.alternatives[0][0]
    for secret in ("Vivid", "dream", "LDN", "1.5", patient.legal_last_name or "Diaz"):
        assert secret not in everything
    assert not emails_to(outsider_physician) and not delivered_to(outsider_physician)
    assert not emails_to(patient.user)


@pytest.mark.django_db
def test_physician_sees_the_thread_with_an_unread_count_and_answers(
    client, thread, patient, physician, django_capture_on_commit_callbacks
):
    sign_in(client, physician)
    listing = client.get("/clinic/messages/")
    assert [(t, t.unread_count) for t in listing.context["page"]] == [(thread, 1)]
    assert listing.context["unread_threads"] == 1
    assert "1 unread" in listing.content.decode()
    page = client.get(f"/clinic/messages/{thread.pk}/")
    assert page.status_code == 200 and "I sleep badly." in page.content.decode()
    assert client.get("/clinic/messages/").context["unread_threads"] == 0
    response = client.post(f"/clinic/messages/{thread.pk}/", {"body": "Try taking it in the morning."})
    with time_machine.travel(DAYTIME, tick=False):
        deliver_due()
    assert response["Location"] == f"/clinic/messages/{thread.pk}/"
    reply = thread.messages.last()
    assert (reply.sender, reply.from_patient) == (physician, False)
    (email,) = delivered_to(patient.user)
    assert email.subject == NOTICE and "morning" not in email.body


@pytest.mark.django_db
def test_the_patient_sees_the_reply_as_unread_until_they_open_the_thread(client, thread, patient, physician):
    message_send(thread=thread, sender=physician, body="Reply")
    assert unread_message_count_for(patient.user) == 1
    sign_in(client, patient.user)
    assert "1 unread message" in client.get("/patient/").content.decode()
    assert [t.unread_count for t in client.get("/patient/messages/").context["page"]] == [1]
    client.get(f"/patient/messages/{thread.pk}/")
    assert [t.unread_count for t in client.get("/patient/messages/").context["page"]] == [0]
    assert "No unread messages" in client.get("/patient/").content.decode()


@pytest.mark.django_db
def test_reopening_a_quiet_thread_writes_nothing_and_a_newer_message_stays_unread(client, thread, patient, physician):
    message_send(thread=thread, sender=physician, body="Reply")
    sign_in(client, patient.user)
    client.get(f"/patient/messages/{thread.pk}/")
    marker = ThreadReadMarker.objects.get(thread=thread, user=patient.user).last_read_at
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/patient/messages/{thread.pk}/")
    assert not [q for q in queries if "threadreadmarker" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert ThreadReadMarker.objects.get(thread=thread, user=patient.user).last_read_at == marker
    message_send(thread=thread, sender=physician, body="Another")
    assert unread_message_count_for(patient.user) == 1
    client.get(f"/patient/messages/{thread.pk}/")
    assert unread_message_count_for(patient.user) == 0


@pytest.mark.django_db
def test_one_email_per_thread_and_side_per_15_minutes(thread, patient, physician, django_capture_on_commit_callbacks):
    Reminder.objects.filter(kind="secure-message").delete()
    start = timezone.now() + dt.timedelta(seconds=1)
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message_send(thread=thread, sender=patient.user, body="Also headaches.")
        assert not emails_to(physician)  # the thread's first message already told the care team
        clock.move_to(start + dt.timedelta(minutes=16))
        with django_capture_on_commit_callbacks(execute=True):
            message_send(thread=thread, sender=patient.user, body="And nausea.")
            message_send(thread=thread, sender=patient.user, body="Sorry, one more thing.")
        assert len(emails_to(physician)) == 1
        # The other side has its own clock: the patient is told about the first reply at once.
        with django_capture_on_commit_callbacks(execute=True):
            message_send(thread=thread, sender=physician, body="Noted.")
            message_send(thread=thread, sender=physician, body="And another note.")
        assert len(emails_to(patient.user)) == 1


@pytest.mark.django_db
def test_the_email_slot_is_claimed_by_a_single_conditional_update(thread):
    now = timezone.now() + dt.timedelta(hours=1)
    Thread.objects.filter(pk=thread.pk).update(care_team_notified_at=None)
    assert _claim_email_slot(thread=thread, field="care_team_notified_at", now=now) is True
    assert _claim_email_slot(thread=thread, field="care_team_notified_at", now=now) is False
    assert _claim_email_slot(thread=thread, field="care_team_notified_at", now=now + dt.timedelta(minutes=14)) is False
    assert _claim_email_slot(thread=thread, field="care_team_notified_at", now=now + dt.timedelta(minutes=15)) is True


@pytest.mark.django_db
def test_once_a_physician_has_answered_only_answering_physicians_are_emailed(
    thread, patient, physician, django_capture_on_commit_callbacks
):
    colleague = PhysicianLicenseFactory(state=state("TX")).physician
    message_send(thread=thread, sender=physician, body="Hello")
    Thread.objects.filter(pk=thread.pk).update(care_team_notified_at=None)
    Reminder.objects.filter(kind="secure-message").delete()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(thread=thread, sender=patient.user, body="Thanks")
    assert emails_to(physician) and not emails_to(colleague)


@pytest.mark.django_db
def test_message_text_is_escaped(client, patient, physician):
    thread = thread_start(patient=patient, author=patient.user, subject="<b>Hi</b>", body="<script>alert('x')</script>")
    for user, path in (
        (patient.user, f"/patient/messages/{thread.pk}/"),
        (physician, f"/clinic/messages/{thread.pk}/"),
    ):
        sign_in(client, user)
        content = client.get(path).content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
        assert "&lt;b&gt;Hi&lt;/b&gt;" in content


@pytest.mark.django_db
def test_viewing_a_thread_as_a_physician_is_audited_and_as_the_patient_is_not(client, thread, patient, physician):
    sign_in(client, patient.user)
    client.get(f"/patient/messages/{thread.pk}/")
    assert not AccessLog.objects.exists()
    sign_in(client, physician)
    client.get(f"/clinic/messages/{thread.pk}/", REMOTE_ADDR="203.0.113.8")
    log = AccessLog.objects.get()
    assert (log.actor, log.patient, log.action, log.ip_address) == (
        physician,
        patient.user,
        "messages.thread.view",
        "203.0.113.8",
    )


@pytest.mark.django_db
def test_a_physician_shares_a_published_article_as_a_link_card(client, thread, patient, physician):
    slug = published_slug()
    article = Article.objects.get(slug=slug)
    sign_in(client, physician)
    page = client.get(f"/clinic/messages/{thread.pk}/")
    assert "Share an article (optional)" in page.content.decode()
    assert f'value="{slug}"' in page.content.decode()
    client.post(f"/clinic/messages/{thread.pk}/", {"body": "", "article_slug": slug})
    shared = thread.messages.last()
    assert (shared.article_slug, shared.body) == (slug, "")
    sign_in(client, patient.user)
    content = client.get(f"/patient/messages/{thread.pk}/").content.decode()
    assert f'href="/learn/{slug}/"' in content and article.title.replace("'", "&#x27;") in content
    # A later unpublished article says so instead of linking to a 404.
    Article.objects.filter(pk=article.pk).update(status="draft")
    assert "no longer published" in client.get(f"/patient/messages/{thread.pk}/").content.decode()


@pytest.mark.django_db
def test_only_physicians_share_articles_and_only_published_ones(thread, patient, physician):
    with pytest.raises(PermissionDenied):
        message_send(thread=thread, sender=patient.user, body="x", article_slug=published_slug())
    Article.objects.filter(slug=published_slug()).update(status="draft")
    draft = Article.objects.filter(status="draft").first().slug
    with pytest.raises(ValidationError):
        message_send(thread=thread, sender=physician, body="", article_slug=draft)
    assert thread.messages.count() == 1


@pytest.mark.django_db
def test_messages_cannot_be_edited_or_deleted_even_in_the_admin(client, admin_user, thread):
    message = thread.messages.get()
    sign_in(client, admin_user)
    assert client.get("/admin/patients/thread/").status_code == 200
    assert client.get(f"/admin/patients/thread/{thread.pk}/change/").status_code == 200
    assert (
        AccessLog.objects.filter(patient__isnull=False).get().action == "admin.patients.thread.view"
    )  # admins reading a conversation are audited
    assert client.get("/admin/patients/message/").status_code == 200
    page = client.get(f"/admin/patients/message/{message.pk}/change/")
    assert page.status_code == 200 and "I sleep badly." in page.content.decode()
    assert client.post(f"/admin/patients/message/{message.pk}/change/", {"body": "edited"}).status_code == 403
    assert client.post(f"/admin/patients/message/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/patients/message/add/").status_code == 403
    message.refresh_from_db()
    assert message.body == "I sleep badly."


@pytest.mark.django_db
def test_a_patient_without_a_state_is_asked_to_start_the_intake(client):
    patient = PatientFactory(state=None)
    sign_in(client, patient.user)
    response = client.post("/patient/messages/", {"subject": "Hi", "body": "Hello"})
    assert "we need to know where you live" in response.content.decode()
    assert not Thread.objects.exists()


# --- 403 / 404 / 405 / bad input ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "pharmacy", "admin"])
@pytest.mark.parametrize("path", ["/patient/messages/", "/patient/messages/{pk}/"])
def test_patient_message_pages_refuse_other_roles(client, role_users, thread, role, path):
    sign_in(client, role_users[role])
    assert client.get(path.format(pk=thread.pk)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "pharmacy", "admin"])
@pytest.mark.parametrize("path", ["/clinic/messages/", "/clinic/messages/{pk}/"])
def test_clinic_message_pages_refuse_other_roles(client, role_users, thread, role, path):
    sign_in(client, role_users[role])
    assert client.get(path.format(pk=thread.pk)).status_code == 403


@pytest.mark.django_db
def test_another_patients_thread_is_404_and_cannot_be_written_to(client, thread, other_patient):
    sign_in(client, other_patient.user)
    assert client.get(f"/patient/messages/{thread.pk}/").status_code == 404
    assert client.post(f"/patient/messages/{thread.pk}/", {"body": "intrusion"}).status_code == 404
    assert thread.messages.count() == 1
    assert list(client.get("/patient/messages/").context["page"]) == []


@pytest.mark.django_db
def test_a_physician_outside_the_patients_state_gets_404(client, thread, outsider_physician):
    sign_in(client, outsider_physician)
    assert client.get(f"/clinic/messages/{thread.pk}/").status_code == 404
    assert client.post(f"/clinic/messages/{thread.pk}/", {"body": "hello"}).status_code == 404
    assert list(client.get("/clinic/messages/").context["page"]) == []
    assert not AccessLog.objects.filter(patient=thread.patient.user).exists() and thread.messages.count() == 1


@pytest.mark.django_db
def test_an_expired_license_loses_the_thread(client, thread, physician):
    physician.licenses.update(expires_on=dt.date.today() - dt.timedelta(days=1))
    sign_in(client, physician)
    assert client.get(f"/clinic/messages/{thread.pk}/").status_code == 404


@pytest.mark.django_db
def test_wrong_methods_are_refused(client, thread, patient, physician):
    sign_in(client, patient.user)
    assert client.put("/patient/messages/").status_code == 405
    assert client.delete(f"/patient/messages/{thread.pk}/").status_code == 405
    sign_in(client, physician)
    assert client.post("/clinic/messages/").status_code == 405
    assert client.patch(f"/clinic/messages/{thread.pk}/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "body": "Hello"}, "This field is required."),
        ({"subject": "Hi", "body": ""}, "Write a message."),
        ({"subject": "Hi", "body": "   "}, "Write a message."),
        ({"subject": "x" * 151, "body": "Hello"}, "at most 150 characters"),
        ({"subject": "Hi", "body": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_new_messages_show_the_error_and_save_nothing(client, patient, data, message):
    sign_in(client, patient.user)
    response = client.post("/patient/messages/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Thread.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_an_empty_reply_shows_the_error_and_saves_nothing(client, thread, physician):
    sign_in(client, physician)
    response = client.post(f"/clinic/messages/{thread.pk}/", {"body": "", "article_slug": ""})
    assert response.status_code == 200 and "Write a message." in response.content.decode()
    response = client.post(f"/clinic/messages/{thread.pk}/", {"body": "x", "article_slug": "no-such-article"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert thread.messages.count() == 1


# --- Query budgets -----------------------------------------------------------------------------------------


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_message_pages_query_counts_do_not_grow_with_the_data(client, patient, physician):
    slug = published_slug()

    def grow(threads, messages_each):
        made = []
        for i in range(threads):
            t = thread_start(patient=patient, author=patient.user, subject=f"S{i}", body="Question")
            for j in range(messages_each):
                message_send(thread=t, sender=physician, body=f"Answer {j}", article_slug=slug)
                message_send(thread=t, sender=patient.user, body=f"Thanks {j}")
            made.append(t)
        return made

    first = grow(1, 1)[0]

    def counts():
        sign_in(client, patient.user)
        own = (_queries(client, "/patient/messages/"), _queries(client, f"/patient/messages/{first.pk}/"))
        sign_in(client, physician)
        clinic = (_queries(client, "/clinic/messages/"), _queries(client, f"/clinic/messages/{first.pk}/"))
        return own + clinic

    counts()  # the first views fill the cached library lists
    small = counts()
    grow(6, 1)
    for j in range(8):
        message_send(thread=first, sender=physician, body=f"More {j}", article_slug=slug)
    for _ in range(8):
        other = PatientFactory(state=state("TX"))
        thread_start(patient=other, author=other.user, subject="Other", body="Hi")
    counts()  # read the new messages: compared below, like ``small``, is a view with nothing new to mark
    large = counts()
    assert small == large
    assert max(large) <= 16
    assert ThreadReadMarker.objects.filter(user=physician).exists()
