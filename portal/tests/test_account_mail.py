"""Account emails (confirmation, password reset, unknown account) go through the outbox: sealed in
their row until sent, erased after, never lost to a mail outage."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from portal.adapters import ACCOUNT_EMAIL
from portal.crypto import decrypt_secret
from portal.models import Reminder, User
from portal.tests.factories import AdminFactory, UserFactory
from portal.tests.outbox import deliver_due
from portal.tests.signin import sign_in

SIGN_UP = {"email": "new.patient@example.com", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
OTHER_KEY = "b3RoZXIta2V5LWZvci1yb3RhdGlvbi10ZXN0cy0zMiE="


@pytest.mark.django_db
def test_the_sign_up_confirmation_is_sealed_in_the_outbox_and_sent_when_the_request_commits(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGN_UP)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/confirm-email/" in mail.outbox[0].body
    row = Reminder.objects.get(kind=ACCOUNT_EMAIL)
    assert row.recipient == User.objects.get(email=SIGN_UP["email"])
    assert (row.status, row.sealed_message) == (Reminder.Status.SENT, "")


@pytest.mark.django_db
def test_a_waiting_account_email_keeps_its_link_only_encrypted(client):
    client.post("/accounts/signup/", SIGN_UP)  # the request's commit has not run: the row waits
    row = Reminder.objects.get(kind=ACCOUNT_EMAIL)
    assert row.status == Reminder.Status.PENDING and mail.outbox == []
    assert "confirm-email" not in row.sealed_message and "new.patient" not in row.sealed_message
    assert "/accounts/confirm-email/" in decrypt_secret(row.sealed_message)
    deliver_due()  # beat's next dispatch sends it even if the commit's hand-over was lost
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [SIGN_UP["email"]]


@pytest.mark.django_db
def test_sign_up_with_the_mail_server_down_loses_nothing_and_the_link_arrives_when_mail_returns(
    client, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "portal.tests.test_reminders.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGN_UP, follow=True)
    assert response.status_code == 200 and "Verify Your Email Address" in response.content.decode()
    assert User.objects.filter(email=SIGN_UP["email"]).exists()
    assert SIGN_UP["email"] not in caplog.text
    row = Reminder.objects.get(kind=ACCOUNT_EMAIL)
    assert row.status in (Reminder.Status.PENDING, Reminder.Status.QUEUED) and row.sealed_message
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_due(now=timezone.now() + dt.timedelta(minutes=3))
    assert len(mail.outbox) == 1 and "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db
def test_password_reset_goes_through_the_outbox_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
        client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, "nobody@example.com"])
    assert "/accounts/password/reset/key/" in next(m.body for m in mail.outbox if m.to == [user.email])
    rows = Reminder.objects.filter(kind=ACCOUNT_EMAIL)
    assert {r.recipient_id for r in rows} == {user.pk, None}
    assert all(r.status == Reminder.Status.SENT for r in rows)


@pytest.mark.django_db
def test_an_account_email_that_waited_more_than_12_hours_is_dropped_and_erased(client):
    client.post("/accounts/password/reset/", {"email": UserFactory().email})
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        deliver_due()
    row = Reminder.objects.get(kind=ACCOUNT_EMAIL)
    assert mail.outbox == []
    assert (row.status, row.sealed_message) == (Reminder.Status.SKIPPED, "")
    assert "12 hours" in row.status_reason


@pytest.mark.django_db
def test_account_emails_are_sent_at_night_too(client):
    with time_machine.travel(dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC), tick=False):  # 21:00 in Chicago
        client.post("/accounts/password/reset/", {"email": UserFactory().email})
        deliver_due()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_admin_never_shows_a_sealed_account_email(client):
    client.post("/accounts/password/reset/", {"email": UserFactory().email})
    row = Reminder.objects.get(kind=ACCOUNT_EMAIL)
    sign_in(client, AdminFactory())
    page = client.get(f"/admin/portal/reminder/{row.pk}/change/").content.decode()
    assert row.sealed_message[:20] not in page and "Sealed message" not in page


@pytest.mark.django_db
def test_rotating_keys_reencrypts_waiting_account_emails_under_the_new_key(client, settings):
    client.post("/accounts/password/reset/", {"email": UserFactory().email})
    old = Reminder.objects.get(kind=ACCOUNT_EMAIL).sealed_message
    with override_settings(MFA_ENCRYPTION_KEYS=[OTHER_KEY, *settings.MFA_ENCRYPTION_KEYS]):
        call_command("rotate_secret_keys")
        new = Reminder.objects.get(kind=ACCOUNT_EMAIL).sealed_message
        assert new != old
        with override_settings(MFA_ENCRYPTION_KEYS=[OTHER_KEY]):  # the old key removed
            deliver_due()
    assert len(mail.outbox) == 1
