"""Regression tests for the findings of the outside security review (README "Security"): each
failed on the code before its fix."""

from __future__ import annotations

import subprocess
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.admin.models import DELETION, LogEntry
from django.db import connection
from django.test import Client, RequestFactory
from django.utils.html import escape

from portal.audit import client_ip
from portal.crypto import decrypt_secret
from portal.models import User
from portal.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, AdminFactory, PhysicianFactory, UserFactory
from portal.tests.signin import sign_in
from tests.helpers import BASE_DIR, PYTHON, child_env, free_port

ADMIN_PAGES = ["/admin/", "/admin/portal/user/", "/admin/patients/intake/", "/admin/mfa/authenticator/"]


def current_code(secret: str = TEST_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def reaches_admin(client: Client) -> list[str]:
    return [path for path in ADMIN_PAGES if client.get(path).status_code == 200]


# --- F-1: the admin's own login form ------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_patient_posting_the_admins_password_to_the_admin_login_reaches_no_admin_page(client, patient):
    admin_user = AdminFactory()
    sign_in(client, patient.user)
    assert client.get("/admin/login/").status_code == 403
    response = client.post("/admin/login/", {"username": admin_user.email, "password": TEST_PASSWORD})
    assert response.status_code in (403, 405)
    assert reaches_admin(client) == []
    # and the session still belongs to the patient
    assert client.get("/patient/").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_sends_anonymous_visitors_to_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/portal/user/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/portal/user/"
    response = client.post("/admin/login/", {"username": "x@example.com", "password": "y"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_admin_login_never_redirects_off_site(client):
    sign_in(client, AdminFactory())
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_an_admin_with_the_password_only_reaches_no_admin_page_until_the_code_is_entered(client):
    admin_user = AdminFactory()
    response = client.post("/accounts/login/", {"login": admin_user.email, "password": TEST_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert reaches_admin(client) == []
    client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert reaches_admin(client) == ADMIN_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/clinic/", "/clinic/patients/", "/pharmacy/"])
def test_a_staff_session_opened_without_the_second_factor_is_asked_for_a_code(path):
    """A session made by any form that skips allauth's TOTP stage (as Django's admin form did)."""
    for user in (AdminFactory(), PhysicianFactory(), UserFactory(role=User.Role.PHARMACY)):
        client = Client()
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 302, (user.role, path)
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
        # the code completes the session
        assert client.post(response["Location"], {"code": current_code()}).status_code == 302
        response = client.get(path)
        assert response.status_code in (200, 403) or response["Location"].startswith("/admin/login/"), (user, path)


# --- F-2: authenticator secrets at rest ---------------------------------------------------------


@pytest.mark.django_db
def test_totp_secrets_and_recovery_seeds_are_stored_encrypted():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = PhysicianFactory()
    RecoveryCodes.activate(user)
    rows = {a.type: a.data for a in Authenticator.objects.filter(user=user)}
    assert TEST_TOTP_SECRET not in str(rows)
    assert decrypt_secret(rows["totp"]["secret"]) == TEST_TOTP_SECRET
    seed = rows["recovery_codes"]["seed"]
    assert decrypt_secret(seed) and decrypt_secret(seed) != seed
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator")
        assert all(TEST_TOTP_SECRET not in str(row) for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_secret_written_in_clear_around_the_adapter_does_not_work():
    user = PhysicianFactory(totp=False)
    forged = Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET})
    with pytest.raises(Exception, match="could not be decrypted"):
        TOTP(forged).validate_code(current_code())


@pytest.mark.django_db
def test_the_admin_lists_authenticators_but_never_shows_or_edits_a_secret(client):
    admin_user = AdminFactory()
    physician = PhysicianFactory()
    sign_in(client, admin_user)
    authenticator = Authenticator.objects.get(user=physician, type=Authenticator.Type.TOTP)
    listing = client.get("/admin/mfa/authenticator/")
    # the list names people (portal.admin.person_column), as every admin list does
    assert listing.status_code == 200 and escape(physician.display_name) in listing.content.decode()
    page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert authenticator.data["secret"] not in body and TEST_TOTP_SECRET not in body
    assert 'name="data"' not in body
    response = client.post(f"/admin/mfa/authenticator/{authenticator.pk}/change/", {"data": '{"secret": "X"}'})
    assert response.status_code == 403
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403
    client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"})
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    assert LogEntry.objects.filter(user=admin_user, action_flag=DELETION, object_id=str(authenticator.pk)).exists()


@pytest.mark.django_db
def test_order_signing_still_accepts_a_current_code():
    from prescriptions.orders.services import _reauthenticate

    physician = PhysicianFactory()
    _reauthenticate(physician, password="", otp_code=current_code())


def test_production_refuses_to_start_without_the_encryption_key():
    from portal.tests.test_production_settings import PRODUCTION, run_manage

    env = {k: v for k, v in PRODUCTION.items() if k != "MFA_ENCRYPTION_KEYS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0 and "MFA_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_secrets_stored_in_clear():
    from django.db.migrations.executor import MigrationExecutor

    user = PhysicianFactory(totp=False)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TEST_TOTP_SECRET})
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration("portal", "0004_encrypt_authenticator_secrets")
    state = executor.loader.project_state(("portal", "0004_encrypt_authenticator_secrets"))
    migration.operations[0].code(state.apps, None)
    stored = Authenticator.objects.get(user=user).data["secret"]
    assert stored != TEST_TOTP_SECRET and decrypt_secret(stored) == TEST_TOTP_SECRET
    migration.operations[0].code(state.apps, None)  # a second run leaves encrypted rows alone
    assert Authenticator.objects.get(user=user).data["secret"] == stored


# --- F-4: the audit's client address ------------------------------------------------------------


def test_a_forged_forwarded_for_header_does_not_change_the_recorded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.9"


def test_behind_one_trusted_proxy_the_address_it_added_is_recorded(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )  # the client claimed 198.51.100.1; our proxy appended the address it saw
    assert client_ip(request) == "203.0.113.9"


# --- F-5: production needs a shared cache and a mail server -------------------------------------


@pytest.mark.parametrize(("missing", "words"), [("CACHE_URL", "CACHE_URL"), ("EMAIL_URL", "EMAIL_URL")])
def test_production_refuses_to_start_without_a_shared_cache_or_a_mail_server(missing, words):
    from portal.tests.test_production_settings import PRODUCTION, run_manage

    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0 and words in result.stderr


def test_production_refuses_a_per_process_cache():
    from portal.tests.test_production_settings import PRODUCTION, run_manage

    result = run_manage("check", env={**PRODUCTION, "CACHE_URL": "locmemcache://"})
    assert result.returncode != 0 and "shared cache" in result.stderr


def test_email_url_is_honoured_in_development():
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_HOST)"
    env = child_env(EMAIL_URL="smtp://mail.example.org:2525", DJANGO_DEBUG="1")
    result = subprocess.run([PYTHON, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "mail.example.org", result.stderr


# --- F-6: the MFA gate reads path_info ----------------------------------------------------------


@pytest.mark.django_db
def test_a_script_name_prefix_does_not_exempt_a_chart_from_mfa_enrolment(patient):
    physician = PhysicianFactory(totp=False)
    client = Client()
    sign_in(client, physician)
    response = client.get("/clinic/", SCRIPT_NAME="/accounts")
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/2fa/totp/activate/")


# --- F-7 / F-8: headers ------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_for_a_signed_in_person_is_not_stored(client, patient):
    sign_in(client, patient.user)
    for path in ["/patient/", "/patient/messages/", "/dashboard/", "/learn/"]:
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_permissions_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_no_template_holds_inline_script_or_style():
    offenders = []
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        if "<style" in text or " style=" in text or " on" + "click=" in text:
            offenders.append(str(template))
        for tag in text.split("<script")[1:]:
            if "src=" not in tag.split(">")[0]:
                offenders.append(str(template))
    assert offenders == []


# --- F-10: query strings stay out of the access log ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_never_records_a_query_string_or_referrer():
    port = free_port()
    env = child_env(PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1")
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "portal.asgi:application", "-c", "python:portal.gunicorn_conf"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        import urllib.request

        url = f"http://127.0.0.1:{port}/healthz?q=Lopez&screening=not_eligible"
        for _ in range(100):
            try:
                request = urllib.request.Request(url, headers={"Referer": "http://x/clinic/patients/?q=Nguyen"})
                urllib.request.urlopen(request, timeout=5).read()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "GET /healthz HTTP/1.1" in output, output
    assert "Lopez" not in output and "not_eligible" not in output and "Nguyen" not in output


def test_runservers_request_log_drops_the_query_string():
    import logging

    from portal.logfilters import DropQueryString

    record = logging.LogRecord(
        "django.server", logging.INFO, "", 0, '"%s" %s %s', ("GET /clinic/patients/?q=Lopez HTTP/1.1", 200, 10), None
    )
    DropQueryString().filter(record)
    assert record.getMessage() == '"GET /clinic/patients/ HTTP/1.1" 200 10'


def test_make_runs_uvicorn_request_lines_drop_the_query_string():
    import json
    import logging

    from portal.logfilters import DropQueryString

    config = json.loads((BASE_DIR / "scripts" / "uvicorn-logging.json").read_text())
    assert config["loggers"]["uvicorn.access"]["handlers"] == ["requests"]
    assert config["handlers"]["requests"]["filters"] == ["drop_query_string"]
    assert config["filters"]["drop_query_string"]["()"] == "portal.logfilters.DropQueryString"
    # uvicorn's access line: client, method, path with its query, HTTP version, status.
    args = ("127.0.0.1:50000", "GET", "/clinic/patients/?q=Lopez&screening=not_eligible", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)
    DropQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:50000 - "GET /clinic/patients/ HTTP/1.1" 200'


# --- F-11: a mail outage does not break sign-up (portal/tests/test_account_mail.py) -------------


# --- /healthz and passwords ---------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_tells_a_remote_anonymous_caller_only_ok_or_not_ok(client):
    body = client.get("/healthz", REMOTE_ADDR="203.0.113.9").json()
    assert body == {"status": "ok"}
    detail = client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()
    assert detail["database"] == "ok" and "worker_heartbeat" in detail


@pytest.mark.django_db
def test_healthz_gives_staff_the_detail(client):
    sign_in(client, AdminFactory())
    assert "database" in client.get("/healthz", REMOTE_ADDR="203.0.113.9").json()


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["aaaaaaaaaaaaaaaa", "1111111111111111", "................"])
def test_a_password_of_one_repeated_character_is_refused(client, password):
    response = client.post(
        "/accounts/signup/", {"email": "r@example.com", "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert "repeats a single character" in response.content.decode()
    assert not User.objects.filter(email="r@example.com").exists()


def test_a_refusal_is_flashed_one_way():
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied, ValidationError

    from portal.forms import flash_refusal

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    flash_refusal(request, ValidationError(["Too late to cancel.", "Call the practice."]))
    flash_refusal(request, PermissionDenied("Only the visit's own physician can cancel it."))
    flash_refusal(request, PermissionDenied())
    assert [m.message for m in get_messages(request)] == [
        "Too late to cancel.",
        "Call the practice.",
        "Only the visit's own physician can cancel it.",
        "You cannot do that here.",
    ]
