"""Reminders against real Redis and real worker and beat processes (issue: "never lost or sent
twice"). PostgreSQL only: the claim relies on SELECT … FOR UPDATE SKIP LOCKED across processes."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from portal.models import EmailOutbox, Reminder, User
from portal.tasks import publish_sends
from portal.tests.signin import sign_in
from tests.processes import PrivateRedis, celery_process, kill_hard, stop, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COUNT = 1000


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("multi-process row claims are tested on PostgreSQL")


@pytest.fixture
def redis_server(tmp_path, postgres_only):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def daytime_zone() -> str:
    """A time zone where it is now between 09:00 and 16:00, so no reminder is held for quiet hours."""
    now = timezone.now()
    for name in sorted(zoneinfo.available_timezones()):
        if name.startswith(("Etc/", "SystemV/")):
            continue
        if 9 <= now.astimezone(zoneinfo.ZoneInfo(name)).hour < 16:
            return name
    raise RuntimeError("no daytime zone found")


def seed_due_reminders(count: int) -> None:
    users = User.objects.bulk_create(
        [User(email=f"reliability{i}@example.com", role="patient", password="!") for i in range(count)]
    )
    zone = daytime_zone()
    due = timezone.now() - dt.timedelta(minutes=1)
    Reminder.objects.bulk_create(
        [
            Reminder(key=f"reliability:{u.pk}", kind="portal-update", recipient=u, subject=f"t:{u.pk}",
                     due_at=due, time_zone=zone)
            for u in users
        ]
    )  # fmt: skip


def delivered() -> int:
    return EmailOutbox.objects.count()


def assert_each_delivered_exactly_once(count: int) -> None:
    assert EmailOutbox.objects.count() == count
    assert EmailOutbox.objects.values("to").distinct().count() == count
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == count


def test_killing_a_worker_mid_chunk_loses_nothing_and_duplicates_only_what_was_in_flight(redis_server, tmp_path):
    """The promise of the README, measured against a mail sink outside the database (as a real
    mail server is): after ``kill -9`` of the worker group mid-run, every reminder is delivered,
    the only duplicates are messages the killed processes had handed over but not yet recorded
    (at most a chunk per pool process), and the rows they held are sent soon after a restart."""
    sink = tmp_path / "sink.txt"
    sink.touch()
    seed_due_reminders(COUNT)
    env = {"EMAIL_BACKEND": "tests.slow_mail.SlowFileSinkBackend", "MAIL_SINK_FILE": str(sink)}
    handed_over = lambda: len(sink.read_text().splitlines())  # noqa: E731
    beat = celery_process("beat", redis_server.url, tmp_path, "beat", **env)
    worker = celery_process("worker", redis_server.url, tmp_path, "w1", **env)
    try:
        assert wait_for(lambda: handed_over() >= 100, timeout=90), "the worker never started sending"
        kill_hard(worker)
        at_kill = handed_over()
        assert at_kill < COUNT, "the run finished before the kill; the test proved nothing"
        restarted = time.monotonic()
        worker = celery_process("worker", redis_server.url, tmp_path, "w2", **env)
        assert wait_for(lambda: Reminder.objects.filter(status=Reminder.Status.SENT).count() == COUNT, timeout=120)
        settled_after = time.monotonic() - restarted
        wait_for(lambda: False, timeout=3)  # let any late duplicate show up
    finally:
        stop(worker)
        stop(beat)
    recipients = sink.read_text().splitlines()
    assert set(recipients) == set(User.objects.filter(email__startswith="reliability").values_list("email", flat=True))
    duplicates = len(recipients) - len(set(recipients))
    in_flight_bound = 2 * 25  # two pool processes, a chunk of 25 each (tests/processes.py)
    assert duplicates <= in_flight_bound, f"{duplicates} duplicates"
    assert settled_after < 120
    print(f"kill at {at_kill} handed over; {duplicates} duplicates; all sent {settled_after:.0f}s after restart")


def test_two_workers_and_two_beats_deliver_each_reminder_once(redis_server, tmp_path):
    seed_due_reminders(COUNT)
    processes = [
        celery_process("beat", redis_server.url, tmp_path, "beat-a"),
        celery_process("beat", redis_server.url, tmp_path, "beat-b"),
        celery_process("worker", redis_server.url, tmp_path, "wa"),
        celery_process("worker", redis_server.url, tmp_path, "wb"),
    ]
    try:
        assert wait_for(lambda: delivered() >= COUNT, timeout=120), f"only {delivered()} delivered"
        wait_for(lambda: False, timeout=3)
    finally:
        for process in processes:
            stop(process)
    assert_each_delivered_exactly_once(COUNT)
    logs = "".join((tmp_path / f"{n}.log").read_text() for n in ("wa", "wb"))
    assert "portal.tasks.send_reminders" in logs


def test_redis_outage_loses_no_reminder_and_fails_no_request(redis_server, tmp_path, client, monkeypatch, settings):
    from patients.tests.factories import PatientFactory
    from portal import tasks
    from portal.reminders import reminders_dispatch

    seed_due_reminders(300)
    patient = PatientFactory()
    # The in-process dispatcher publishes to the private Redis like a real one would.
    publisher = Celery("outage-test", broker=redis_server.url)
    publisher.conf.broker_connection_retry = False
    publisher.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}

    def publish(args=None, **kwargs):
        return publisher.send_task("portal.tasks.send_reminders", args=args, retry=False)

    monkeypatch.setattr(tasks.send_reminders, "apply_async", publish)
    redis_server.stop()
    sign_in(client, patient.user)
    statuses = []
    for _ in range(4):
        statuses.append(client.get("/patient/").status_code)
        statuses.append(client.get("/learn/").status_code)
        reminders_dispatch(publish=publish_sends)  # the broker is down: claimed rows must go back to pending
    assert set(statuses) == {200}
    assert Reminder.objects.filter(status=Reminder.Status.QUEUED).count() == 0
    assert Reminder.objects.filter(status=Reminder.Status.PENDING).count() == 300
    settings.CELERY_BROKER_URL = redis_server.url
    assert client.get("/healthz").status_code == 503  # the probe tells the truth; pages still serve
    redis_server.start()
    beat = celery_process("beat", redis_server.url, tmp_path, "beat")
    worker = celery_process("worker", redis_server.url, tmp_path, "w1")
    try:
        assert wait_for(lambda: delivered() >= 300, timeout=120), f"only {delivered()} delivered"
        wait_for(lambda: False, timeout=2)
    finally:
        stop(worker)
        stop(beat)
    assert_each_delivered_exactly_once(300)
