import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail

from portal.middleware import SESSION_STARTED_KEY
from portal.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    AdminFactory,
    PharmacyUserFactory,
    PhysicianFactory,
    UserFactory,
)
from portal.tests.signin import sign_in


def current_code(secret=TEST_TOTP_SECRET):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "path"),
    [(PhysicianFactory, "/clinic/"), (PharmacyUserFactory, "/pharmacy/"), (AdminFactory, "/admin/")],
)
def test_staff_roles_must_enrol_totp_before_any_page(client, factory, path):
    user = factory(totp=False)
    sign_in(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # the enrolment page itself is reachable
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)


@pytest.mark.django_db
def test_deep_link_does_not_skip_mfa_enrolment(client):
    user = PhysicianFactory(totp=False)
    sign_in(client, user)
    response = client.get("/clinic/?next=/patient/")
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_patients_may_work_without_mfa(client):
    from patients.tests.factories import PatientFactory

    patient = PatientFactory(user=UserFactory(totp=False))
    sign_in(client, patient.user)
    assert client.get("/patient/").status_code == 200


@pytest.mark.django_db
def test_physician_login_asks_for_the_authenticator_code(client):
    user = PhysicianFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # not signed in yet: the clinic still sends to login
    assert client.get("/clinic/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert response.status_code == 302
    assert client.get("/clinic/").status_code == 200


@pytest.mark.django_db
def test_wrong_authenticator_code_is_refused(client):
    user = PhysicianFactory()
    client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content or b"incorrect" in response.content.lower()
    assert client.get("/clinic/").status_code == 302


@pytest.mark.django_db
def test_patient_signs_up_and_must_verify_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new.patient@example.com",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
    assert response.status_code == 302
    from portal.models import User

    user = User.objects.get(email="new.patient@example.com")
    assert user.role == User.Role.PATIENT
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].body.lower()


@pytest.mark.django_db
def test_signup_rejects_a_weak_password_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/", {"email": "weak@example.com", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 200
    from portal.models import User

    assert not User.objects.filter(email="weak@example.com").exists()


@pytest.mark.django_db
def test_password_reset_sends_an_email_without_health_details(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_login_then_logout(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302
    client.post("/accounts/logout/")
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_is_rate_limited_after_repeated_failures(client):
    user = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert client.get("/dashboard/").status_code == 302  # still not signed in


@pytest.mark.django_db
def test_axes_locks_the_account_and_ip_after_the_failure_limit(client, settings):
    # allauth's own limit lifted, to show the second, persistent lock (django-axes) holds too
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": False}
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code in (403, 429)
    assert b"Too many unsuccessful sign-in attempts" in response.content
    assert client.get("/dashboard/").status_code == 302
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username=user.email).exists()


@pytest.mark.django_db
def test_new_session_key_on_login(client):
    user = UserFactory()
    client.get("/accounts/login/")
    before = client.session.session_key
    client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert client.session.session_key != before


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.django_db
def test_session_ends_twelve_hours_after_sign_in_however_active(client):
    from patients.tests.factories import PatientFactory

    patient = PatientFactory()
    with time_machine.travel("2026-03-01 08:00:00+00:00", tick=False) as traveller:
        sign_in(client, patient.user)
        assert client.get("/patient/").status_code == 200
        assert SESSION_STARTED_KEY in client.session
        # active every 25 minutes, so the 30-minute idle limit never ends the session
        for _ in range(int(11.9 * 60 // 25)):
            traveller.shift(25 * 60)
            assert client.get("/patient/").status_code == 200
        traveller.shift(25 * 60)  # now just past 12 hours since sign-in
        response = client.get("/patient/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_disabling_an_account_ends_its_sessions(client):
    from patients.tests.factories import PatientFactory

    patient = PatientFactory()
    sign_in(client, patient.user)
    assert client.get("/patient/").status_code == 200
    patient.user.is_active = False
    patient.user.save()
    response = client.get("/patient/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_totp_check_used_for_signing_accepts_a_current_code_once_and_nothing_else():
    """Pins the allauth-internal TOTP check that portal.mfa.totp_code_valid wraps."""
    from portal.mfa import totp_code_valid

    physician = PhysicianFactory()
    code = current_code()
    assert totp_code_valid(physician, f" {code} ")
    assert not totp_code_valid(physician, code)  # a code is good for one use
    assert not totp_code_valid(physician, "000000")
    assert not totp_code_valid(PhysicianFactory(totp=False), current_code())
