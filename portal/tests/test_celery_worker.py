"""A real Celery worker process on Redis runs tasks end to end (docs/architecture.md "Reminders and the outbox")."""

import subprocess
import time
import uuid

import pytest
from celery import Celery

from portal.models import WorkerHeartbeat
from tests.helpers import BASE_DIR, PYTHON, child_env, redis_or_skip

pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_runs_a_task_and_writes_the_heartbeat():
    redis_url = redis_or_skip()
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=BASE_DIR,
        env=child_env(REDIS_URL=redis_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        client = Celery("smoke", broker=redis_url, backend=redis_url)
        result = client.send_task("portal.tasks.ping", queue=queue)
        assert result.get(timeout=60) == "pong"
        client.send_task("portal.tasks.heartbeat", queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(name="beat").exists():
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(name="beat").exists()
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "portal.tasks.heartbeat" in output
