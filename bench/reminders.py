"""Reminder throughput benchmark (`make bench-reminders`).

Seeds N due reminders, dispatches them (claim in batches + publish chunks to Redis) and lets a
real Celery worker deliver them with the locmem email backend. In the same run it measures a
no-op task on the same worker as the baseline. Writes bench/results/reminders.json.

Needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL (the Makefile target sets both)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal import reminders as engine  # noqa: E402
from portal.celery import app  # noqa: E402
from portal.models import Reminder, User  # noqa: E402

N = int(os.environ.get("BENCH_REMINDERS", "100000"))
RECIPIENTS = 1000


def daytime_zone() -> str:
    now = timezone.now()
    for name in sorted(zoneinfo.available_timezones()):
        if not name.startswith(("Etc/", "SystemV/")) and 9 <= now.astimezone(zoneinfo.ZoneInfo(name)).hour < 16:
            return name
    raise RuntimeError("no daytime zone")


# PostgreSQL takes at most 65,535 parameters in one statement now that they are bound on the server.
BULK_BATCH = 2000


def seed() -> None:
    Reminder.objects.filter(key__startswith="bench:").delete()
    users = list(User.objects.filter(email__startswith="bench-recipient-").order_by("pk"))
    if len(users) < RECIPIENTS:
        User.objects.bulk_create(
            [User(email=f"bench-recipient-{i}@example.com", password="!") for i in range(len(users), RECIPIENTS)]
        )
        users = list(User.objects.filter(email__startswith="bench-recipient-").order_by("pk"))
    zone, due = daytime_zone(), timezone.now() - dt.timedelta(minutes=1)
    for start in range(0, N, 10000):
        Reminder.objects.bulk_create(
            [
                Reminder(key=f"bench:{i}", kind="portal-update", recipient=users[i % RECIPIENTS],
                         subject=f"bench:{i}", due_at=due, time_zone=zone)
                for i in range(start, min(N, start + 10000))
            ],
            batch_size=BULK_BATCH,
        )  # fmt: skip


def purge_queue() -> None:
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


def start_worker() -> subprocess.Popen:
    env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING", "--concurrency=2",
         "--pool=prefork", "-O", "fair", "--without-gossip", "--without-mingle", "--hostname=bench@%h"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_until(predicate, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(0.2)
    raise TimeoutError("benchmark step did not finish")


def main() -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench-reminders needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    purge_queue()
    seed()
    worker = start_worker()
    try:
        time.sleep(3)  # worker ready
        # Baseline: N no-op tasks through the same broker and worker.
        baseline_n = min(N, 20000)
        from celery.app.control import Inspect  # noqa: F401 - keeps celery's control module loaded

        from portal.tasks import noop, publish_sends

        t0 = time.perf_counter()
        with app.producer_or_acquire() as producer:
            for _ in range(baseline_n):
                noop.apply_async(producer=producer)
        publish_noop = time.perf_counter() - t0

        def queue_empty() -> bool:
            with app.connection_for_write() as conn:
                return conn.default_channel.client.llen("celery") == 0

        drain_noop = wait_until(queue_empty, 600)
        time.sleep(1)
        noop_rate = baseline_n / (publish_noop + drain_noop)

        published = {"messages": 0}

        def counting_publish(ids):
            published["messages"] += 1
            publish_sends(ids)

        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            claimed = engine.reminders_dispatch(publish=counting_publish)
            dispatch_seconds = time.perf_counter() - t0
        delivery_seconds = dispatch_seconds + wait_until(
            lambda: not Reminder.objects.filter(key__startswith="bench:").exclude(status="sent").exists(), 3600
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    sent = Reminder.objects.filter(key__startswith="bench:", status="sent").count()
    result = {
        "reminders": N,
        "claimed": claimed,
        "sent": sent,
        "dispatch_seconds": round(dispatch_seconds, 2),
        "dispatch_sql_queries": len(queries.captured_queries),
        "dispatch_batch_size": settings.REMINDER_DISPATCH_BATCH,
        "broker_messages": published["messages"],
        "send_chunk": settings.REMINDER_SEND_CHUNK,
        "delivery_seconds_total": round(delivery_seconds, 2),
        "delivered_per_second": round(sent / delivery_seconds, 1),
        "baseline_noop_tasks": baseline_n,
        "baseline_noop_tasks_per_second": round(noop_rate, 1),
        "ratio_reminders_per_second_to_noop_tasks_per_second": round((sent / delivery_seconds) / noop_rate, 3),
        "ratio_messages_per_second_to_noop_tasks_per_second": round(
            (published["messages"] / delivery_seconds) / noop_rate, 3
        ),
        "goal_dispatch_under_60_seconds": dispatch_seconds < 60,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": timezone.now().isoformat(timespec="seconds"),
    }
    out = BASE_DIR / "bench" / "results" / "reminders.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
