"""Helpers for tests that start real processes (Celery workers) against the test database."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def test_redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_or_skip() -> str:
    """The Redis to use, or skip the test where no Redis runs (never in CI, which needs it)."""
    url = test_redis_url()
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            pass
    except OSError:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required but unreachable at {url}")
        pytest.skip("Redis is not running here")
    return url


def database_url_for_subprocess() -> str:
    """A DATABASE_URL pointing a child process at the database this test is using."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user = quote(s.get("USER") or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": database_url_for_subprocess()})
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.update(extra)
    return env


PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
