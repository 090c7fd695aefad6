"""The reminder engine: scheduling, quiet hours, dispatch, at-most-once sending, retries."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from portal import reminders
from portal.license_reminders import license_reminders_schedule
from portal.models import EmailOutbox, Reminder
from portal.reminders import (
    next_sending_time,
    reminder_schedule,
    reminder_send,
    reminders_dispatch,
    reminders_requeue_stale,
)
from portal.tasks import publish_sends
from portal.tests.factories import AdminFactory, PhysicianLicenseFactory, UserFactory
from portal.tests.signin import sign_in

CHICAGO = "America/Chicago"
UTC = dt.UTC
NOON_CHICAGO = dt.datetime(2026, 6, 10, 17, 0, tzinfo=UTC)


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 6, 10, 12, 59), at(2026, 6, 10, 13, 0)),  # 07:59 CDT → 08:00
        (at(2026, 6, 10, 13, 0), at(2026, 6, 10, 13, 0)),  # 08:00 is allowed
        (at(2026, 6, 11, 0, 59), at(2026, 6, 11, 0, 59)),  # 19:59 CDT is allowed
        (at(2026, 6, 11, 1, 0), at(2026, 6, 11, 13, 0)),  # 20:00 CDT → next 08:00
        # spring forward (Sunday 8 March 2026): 08:00 is CDT that day, 13:00 UTC
        (at(2026, 3, 8, 9, 0), at(2026, 3, 8, 13, 0)),
        # the evening before the change: 21:00 CST → 08:00 CDT next morning
        (at(2026, 3, 8, 3, 0), at(2026, 3, 8, 13, 0)),
        # fall back (Sunday 1 November 2026): 08:00 CST is 14:00 UTC
        (at(2026, 11, 1, 8, 0), at(2026, 11, 1, 14, 0)),
        (at(2026, 10, 31, 23, 0), at(2026, 10, 31, 23, 0)),  # 18:00 CDT on Saturday: allowed
    ],
)
def test_sends_are_held_to_sending_hours_across_daylight_saving(moment, expected):
    assert next_sending_time(moment, CHICAGO) == expected


@pytest.mark.django_db
def test_scheduling_is_idempotent_and_moves_only_pending_rows():
    user = UserFactory()
    first = reminder_schedule(kind="k", recipient=user, subject="x:1", due_at=NOON_CHICAGO, time_zone=CHICAGO)
    again = reminder_schedule(
        kind="k", recipient=user, subject="x:1", due_at=NOON_CHICAGO + dt.timedelta(hours=1), time_zone=CHICAGO
    )
    assert first.pk == again.pk and Reminder.objects.count() == 1
    assert Reminder.objects.get().due_at == NOON_CHICAGO + dt.timedelta(hours=1)
    Reminder.objects.update(status=Reminder.Status.SENT)
    reminder_schedule(kind="k", recipient=user, subject="x:1", due_at=NOON_CHICAGO, time_zone=CHICAGO)
    assert Reminder.objects.get().due_at == NOON_CHICAGO + dt.timedelta(hours=1)


def make_due(n, *, kind="portal-update", due_at=NOON_CHICAGO):
    user = UserFactory()
    return [
        reminder_schedule(kind=kind, recipient=user, subject=f"t:{i}", due_at=due_at, time_zone=CHICAGO)
        for i in range(n)
    ]


@pytest.mark.django_db
def test_dispatch_claims_only_due_rows_in_batches_and_sends_after_commit(django_capture_on_commit_callbacks):
    make_due(5)
    make_due(2, due_at=NOON_CHICAGO + dt.timedelta(days=1))
    with time_machine.travel(NOON_CHICAGO, tick=False):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert reminders_dispatch(publish=publish_sends, batch_size=2) == 5
    assert len(callbacks) == 3  # 2 + 2 + 1: one publish per batch
    assert Reminder.objects.filter(status="sent").count() == 5
    assert Reminder.objects.filter(status="pending").count() == 2
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_a_second_dispatch_claims_nothing_already_claimed(django_capture_on_commit_callbacks):
    make_due(3)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            assert reminders_dispatch(publish=publish_sends) == 3
        assert reminders_dispatch(publish=publish_sends) == 0
    assert Reminder.objects.filter(status="queued").count() == 3


@pytest.mark.django_db
def test_sending_twice_delivers_once(settings):
    settings.EMAIL_BACKEND = "portal.mail.OutboxEmailBackend"
    (reminder,) = make_due(1)
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        assert reminder_send(reminder.pk) == "sent"
        assert reminder_send(reminder.pk) == "not-queued"
    assert EmailOutbox.objects.count() == 1


@pytest.mark.django_db
def test_a_send_outside_sending_hours_is_held_until_eight(settings):
    (reminder,) = make_due(1)
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    with time_machine.travel(at(2026, 6, 11, 3, 0), tick=False):  # 22:00 in Chicago
        assert reminder_send(reminder.pk) == "pending"
    reminder.refresh_from_db()
    assert reminder.due_at == at(2026, 6, 11, 13, 0)
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_a_broker_outage_returns_claimed_rows_to_pending(monkeypatch, django_capture_on_commit_callbacks):
    from portal import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.send_reminders, "apply_async", broker_down)
    make_due(4)
    with time_machine.travel(NOON_CHICAGO, tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders_dispatch(publish=publish_sends)
    assert Reminder.objects.filter(status="pending").count() == 4
    monkeypatch.undo()
    with time_machine.travel(NOON_CHICAGO, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert reminders_dispatch(publish=publish_sends) == 4
    assert Reminder.objects.filter(status="sent").count() == 4


@pytest.mark.django_db
def test_rows_left_queued_by_a_lost_message_are_requeued(settings):
    settings.REMINDER_REQUEUE_AFTER_SECONDS = 60
    make_due(2)
    Reminder.objects.update(status=Reminder.Status.QUEUED, queued_at=NOON_CHICAGO)
    assert reminders_requeue_stale(now=NOON_CHICAGO + dt.timedelta(seconds=30)) == 0
    assert reminders_requeue_stale(now=NOON_CHICAGO + dt.timedelta(seconds=61)) == 2
    assert Reminder.objects.filter(status="pending").count() == 2


class RefusingBackend:
    """A mail server that does not answer."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def __exit__(self, *exc):
        return False


@pytest.mark.django_db
def test_delivery_errors_are_retried_then_marked_failed_and_an_admin_can_resend(client, monkeypatch, settings):
    from portal import tasks

    (reminder,) = make_due(1)
    Reminder.objects.update(status=Reminder.Status.QUEUED)

    monkeypatch.setattr(settings, "EMAIL_BACKEND", "portal.tests.test_reminders.RefusingBackend", raising=False)
    from celery.exceptions import Retry

    with time_machine.travel(NOON_CHICAGO, tick=False):
        with pytest.raises(Retry):  # a first failure asks for a retry with backoff
            tasks.send_reminders.apply(args=[[reminder.pk]], throw=True)
        assert Reminder.objects.get(pk=reminder.pk).status == Reminder.Status.QUEUED
        tasks.send_reminders.apply(args=[[reminder.pk]], retries=tasks.send_reminders.max_retries)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    admin = AdminFactory()
    sign_in(client, admin)
    response = client.post(
        "/admin/portal/reminder/", {"action": "resend_failed", "_selected_action": [reminder.pk]}, follow=True
    )
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING


@pytest.mark.django_db
def test_a_disabled_account_gets_no_reminder():
    (reminder,) = make_due(1)
    reminder.recipient.is_active = False
    reminder.recipient.save()
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        assert reminder_send(reminder.pk) == "skipped"
    reminder.refresh_from_db()
    assert reminder.status_reason == "recipient account is disabled"


@pytest.mark.django_db
def test_text_messages_go_through_the_pluggable_backend(settings):
    from portal.sms import LocmemSMSBackend

    settings.SMS_BACKEND = "portal.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    user = UserFactory(phone="+15125550100", phone_verified_at=NOON_CHICAGO)
    reminder = reminder_schedule(
        kind="portal-update", recipient=user, subject="t:sms", due_at=NOON_CHICAGO, time_zone=CHICAGO, channel="sms"
    )
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    with time_machine.travel(NOON_CHICAGO, tick=False):
        assert reminder_send(reminder.pk) == "sent"
    (sms,) = LocmemSMSBackend.outbox
    assert sms["to"] == "+15125550100" and "portal" in sms["body"]


@pytest.mark.parametrize(
    "kind",
    ["portal-update", "followup-due-soon", "followup-due-today", "followup-overdue", "appointment-tomorrow",
     "refill-due", "care-item-urgent"],
)  # fmt: skip
def test_reminder_emails_carry_no_health_details(kind):
    from portal.notifications import email_render

    subject, text, html = email_render(f"reminder-{kind}", {"site_url": "https://portal.example.org"})
    for word in ("naltrexone", "ldn", "dose", "pain", " mg", "opioid", "prescription", "fibromyalgia"):
        assert word not in (subject + text + html).lower()


@pytest.mark.django_db
def test_license_warnings_go_to_admins_at_60_and_30_days_and_stop_after_renewal():
    admin = AdminFactory()
    today = dt.date(2026, 6, 10)
    license_ = PhysicianLicenseFactory(expires_on=today + dt.timedelta(days=45))
    PhysicianLicenseFactory(expires_on=today + dt.timedelta(days=200))  # too far off
    with time_machine.travel(NOON_CHICAGO, tick=False):
        license_reminders_schedule(today=today)
        license_reminders_schedule(today=today)  # idempotent
    rows = {r.kind: r for r in Reminder.objects.filter(recipient=admin)}
    assert set(rows) == {"license-expiry-60", "license-expiry-30"}
    assert rows["license-expiry-30"].due_at.date() == today + dt.timedelta(days=15)
    Reminder.objects.update(status=Reminder.Status.QUEUED)
    license_.expires_on = today + dt.timedelta(days=800)
    license_.save()
    with time_machine.travel(NOON_CHICAGO, tick=False):
        assert reminder_send(rows["license-expiry-60"].pk) == "skipped"
    assert Reminder.objects.get(pk=rows["license-expiry-60"].pk).status_reason == "license renewed"


@pytest.mark.django_db
def test_a_license_warning_names_the_license_and_the_days_really_left():
    admin = AdminFactory()
    today = dt.date(2026, 6, 10)
    license_ = PhysicianLicenseFactory(expires_on=today + dt.timedelta(days=45), physician__last_name="Okafor")
    with time_machine.travel(dt.datetime(2026, 6, 10, 17, 0, tzinfo=dt.UTC), tick=False):
        license_reminders_schedule(today=today)
        row = Reminder.objects.get(recipient=admin, kind="license-expiry-60")
        Reminder.objects.filter(pk=row.pk).update(status=Reminder.Status.QUEUED)
        assert reminder_send(row.pk) == "sent"
    (message,) = mail.outbox
    assert (
        message.subject
        == f"A license expires in 45 days: Dr. {license_.physician.first_name} Okafor, {license_.state.name}"
    )
    assert license_.number in message.body and "July 25, 2026" in message.body
    for word in ("patient", "naltrexone", "dose"):
        assert word not in (message.subject + message.body).lower()


@pytest.mark.django_db
def test_pharmacy_licenses_are_covered_too():
    from prescriptions.tests.factories import PharmacyLicenseFactory

    AdminFactory()
    today = dt.date(2026, 6, 10)
    license_ = PharmacyLicenseFactory(expires_on=today + dt.timedelta(days=20))
    license_reminders_schedule(today=today)
    assert list(Reminder.objects.values_list("kind", "subject")) == [
        ("license-expiry-30", f"prescriptions.pharmacylicense:{license_.pk}")
    ]


@pytest.mark.django_db
def test_resending_many_failed_reminders_goes_in_chunks_and_leaves_other_statuses(monkeypatch):

    monkeypatch.setattr(reminders, "RESEND_CHUNK", 2)
    rows = make_due(5)
    Reminder.objects.filter(pk__in=[r.pk for r in rows[:4]]).update(status=Reminder.Status.FAILED)
    assert reminders.reminders_resend(ids=(r.pk for r in rows)) == 4
    assert sorted(Reminder.objects.values_list("status", flat=True)) == ["pending"] * 5
    assert Reminder.objects.filter(status_reason="resent by an admin").count() == 4


@pytest.mark.django_db
def test_a_waiting_update_that_fails_gives_up_its_key_so_the_next_update_gets_a_row():
    from portal.reminders import portal_update_notify, reminders_mark_failed
    from portal.tests.factories import UserFactory

    user = UserFactory()
    first = portal_update_notify(user_id=user.pk)
    assert portal_update_notify(user_id=user.pk).pk == first.pk  # coalesced while waiting
    Reminder.objects.filter(pk=first.pk).update(status=Reminder.Status.QUEUED)
    reminders_mark_failed([first.pk], reason="delivery failed after retries")
    first.refresh_from_db()
    assert first.status == Reminder.Status.FAILED and not first.key.endswith(":waiting")
    assert portal_update_notify(user_id=user.pk).pk != first.pk
