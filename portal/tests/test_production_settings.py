"""Production settings: refuse to start without secrets, and pass check --deploy with no warning."""

import subprocess

import pytest

from tests.helpers import BASE_DIR, PYTHON

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-key-that-is-long-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@mail.example.org:587",
    "MFA_ENCRYPTION_KEYS": "3cdp3aI1aqIvi-ab6yTbTd5YyffmcQGVxwWZ-0UTBEs=",
    "PATH": "/usr/bin:/bin",
}


def run_manage(*args, env):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_start_without_a_shared_channel_layer():
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "need REDIS_URL: video signaling must reach every web process" in result.stderr


@pytest.mark.parametrize(
    ("url", "switch", "expected"),
    [
        ("postgres://u@db.example.org:5432/ldn", None, "{'server_side_binding': True, 'prepare_threshold': 5}"),
        ("postgres://u@db.example.org:5432/ldn", "0", "{}"),
        ("sqlite:////tmp/x.sqlite3", None, "no prepared statements"),
    ],
)
def test_postgresql_prepares_repeated_statements_unless_switched_off(url, switch, expected):
    env = {**PRODUCTION, "DATABASE_URL": url}
    if switch is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = switch
    code = (
        "import django; django.setup(); from django.conf import settings; o = settings.DATABASES['default']"
        ".get('OPTIONS', {}); print({k: o[k] for k in ('server_side_binding', 'prepare_threshold') if k in o}"
        " if 'postgresql' in settings.DATABASES['default']['ENGINE'] else 'no prepared statements')"
    )
    result = subprocess.run(
        [PYTHON, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


HEADERS_PROBE = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from django.test import Client
from portal.tests.factories import AdminFactory, PhysicianLicenseFactory, state
from portal.tests.signin import sign_in
physician, admin = Client(), Client()
sign_in(physician, PhysicianLicenseFactory(state=state("TX")).physician)
sign_in(admin, AdminFactory())
seen = {}
for client, path in ((physician, "/"), (physician, "/clinic/"), (physician, "/clinic/patients/"), (admin, "/admin/")):
    response = client.get(path, secure=True)
    seen[path] = {"status": response.status_code, **{k: response.get(k, "") for k in (
        "Cache-Control", "Content-Security-Policy", "Permissions-Policy", "Strict-Transport-Security",
        "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")}}
print(json.dumps(seen))
"""


def test_production_headers_on_pages_with_health_data(tmp_path):
    import json

    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'headers.sqlite3'}",
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [PYTHON, "-c", HEADERS_PROBE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    for path, headers in pages.items():
        assert headers["status"] == 200, (path, headers["status"])
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "form-action 'self'" in policy and "unsafe-inline" not in policy, path
        assert "camera=()" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        # every page here is answered to a signed-in physician
        assert "no-store" in headers["Cache-Control"] and "private" in headers["Cache-Control"], path
