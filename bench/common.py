"""What the benchmarks share: a free port, a signed-in session made without the sign-in form, and
starting the Procfile's web server and waiting until it listens. Import after ``django.setup()``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from portal.middleware import SESSION_STARTED_KEY
from portal.tests.signin import record_sign_in_steps

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signed_in_session_key(user) -> str:
    """A stored session of ``user`` as the sign-in leaves it, the second factor included for staff
    (their pages answer only such sessions)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_STARTED_KEY] = int(time.time())
    record_sign_in_steps(store, user)
    store.create()
    return store.session_key


def start_web(port: int, env: dict, *extra: str) -> subprocess.Popen:
    """The Procfile's web process (gunicorn with uvicorn workers) on 127.0.0.1:``port``, once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.asgi:application", "-c", "python:portal.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null", *extra],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the web server did not start")
