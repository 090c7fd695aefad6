"""Real processes for reliability tests: a private Redis server, Celery workers and beats."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import BASE_DIR, PYTHON, REQUIRE_SERVICES, child_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free port, so stopping it disturbs nobody else."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = "/usr/bin/redis-server"
        if not os.path.exists(binary):
            if REQUIRE_SERVICES:
                pytest.fail("redis-server is required for the reliability tests")
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def celery_process(kind: str, redis_url: str, tmp: Path, name: str, **env: str) -> subprocess.Popen:
    args = [PYTHON, "-m", "celery", "-A", "portal", kind, "--loglevel=INFO"]
    if kind == "worker":
        args += ["--pool=prefork", "--concurrency=2", f"--hostname={name}@%h", "-O", "fair",
                 "--without-gossip", "--without-mingle"]  # fmt: skip
    else:
        args += [f"--schedule={tmp / (name + '-schedule')}"]
    defaults = {
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "tests.slow_mail.SlowOutboxEmailBackend",
        "REMINDER_DISPATCH_SECONDS": "1",
        "REMINDER_REQUEUE_AFTER_SECONDS": "5",
        "REMINDER_SEND_CHUNK": "25",
        "CELERY_VISIBILITY_TIMEOUT": "30",
    }
    environment = child_env(**{**defaults, **env})
    log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def kill_hard(process: subprocess.Popen) -> None:
    """kill -9 the whole process group: the worker and its pool children."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            kill_hard(process)


def wait_for(predicate, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
