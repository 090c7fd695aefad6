"""Helpers for tests that start real processes (Celery workers) against the test database."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class StandInHandler(BaseHTTPRequestHandler):
    """The base of the local stand-ins of outside services' APIs (Telnyx, Stripe): quiet, and
    answering JSON (or a page) with the headers those APIs send."""

    def log_message(self, *args):  # keep the test output quiet
        pass

    def extra_headers(self) -> dict[str, str]:
        return {}

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in self.extra_headers().items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _html(self, status: int, page: str) -> None:
        self._send(status, page.encode(), "text/html; charset=utf-8")


class LocalServer:
    """A stand-in's HTTP server on a free loopback port, served by a daemon thread."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    def serve(self, handler: type[BaseHTTPRequestHandler], name: str) -> str:
        """Starts serving ``handler``; returns the server's base address."""
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
