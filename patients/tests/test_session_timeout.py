"""The warning before a session ends and the message kept across it (docs/architecture.md
"Session expiry"): the page tells the script how long the session has, the dialog is an alert
dialog with "Stay signed in", its endpoint renews the session, and only the patient's message
boxes are marked for keeping."""

import re
import time

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from patients.messaging.services import thread_start
from portal.middleware import SESSION_STARTED_KEY
from portal.tests.signin import sign_in

NOON = "2026-03-02 18:00:00+00:00"


def seconds_left(html: str) -> int:
    return int(re.search(r'<meta name="session-seconds-left" content="(\d+)">', html).group(1))


@pytest.fixture
def thread(patient):
    return thread_start(patient=patient, author=patient.user, subject="Sleep", body="I sleep badly.")


@pytest.mark.django_db
def test_a_signed_in_page_carries_the_seconds_left_and_the_warning_dialog(client, patient):
    sign_in(client, patient.user)
    html = client.get("/patient/").content.decode()
    assert seconds_left(html) == settings.SESSION_COOKIE_AGE
    dialog = html[html.index('id="session-timeout"') :]
    assert 'role="alertdialog"' in html and 'aria-modal="true"' in html
    assert "You will be signed out in 2 minutes" in dialog
    assert re.search(r'<button type="submit" class="btn btn-primary">Stay signed in</button>', dialog)
    assert 'data-warning-seconds="120"' in html
    assert '<script src="/static/js/session-timeout.js" defer></script>' in html
    assert "<script>" not in html  # no inline script (CSP)


@pytest.mark.django_db
def test_an_anonymous_page_has_no_warning(client):
    html = client.get("/").content.decode()
    assert "session-seconds-left" not in html and 'id="session-timeout"' not in html


@pytest.mark.django_db
def test_near_the_twelve_hour_limit_the_page_counts_down_to_it(client, patient):
    with time_machine.travel(NOON, tick=False):
        sign_in(client, patient.user)
        session = client.session
        # signed in almost twelve hours ago, and active since
        session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 300
        session.save()
        assert seconds_left(client.get("/patient/").content.decode()) == 300


@pytest.mark.django_db
def test_stay_signed_in_renews_the_session(client, patient):
    idle = settings.SESSION_COOKIE_AGE
    with time_machine.travel(NOON, tick=False) as traveller:
        sign_in(client, patient.user)
        client.get("/patient/")
        traveller.shift(idle - 60)  # the warning is showing
        response = client.post("/session/refresh/")
        assert response.status_code == 200
        assert response.json() == {"seconds_left": idle}
        assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
        traveller.shift(idle - 60)  # past the first limit, inside the renewed one
        assert client.get("/patient/").status_code == 200


@pytest.mark.django_db
def test_without_renewal_the_session_ends_after_the_idle_limit(client, patient):
    with time_machine.travel(NOON, tick=False) as traveller:
        sign_in(client, patient.user)
        client.get("/patient/")
        traveller.shift(settings.SESSION_COOKIE_AGE + 10)
        response = client.get("/patient/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_refresh_endpoint_is_post_only_signed_in_only_and_checks_csrf(patient):
    anonymous = Client()
    response = anonymous.post("/session/refresh/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    signed_in = Client(enforce_csrf_checks=True)
    sign_in(signed_in, patient.user)
    assert signed_in.get("/session/refresh/").status_code == 405
    assert signed_in.post("/session/refresh/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["physician", "pharmacy_user", "coordinator"])
def test_every_role_may_renew_its_session(client, request, role):
    sign_in(client, request.getfixturevalue(role))
    assert client.post("/session/refresh/").json()["seconds_left"] > 0


@pytest.mark.django_db
def test_the_patients_reply_box_is_kept_across_sign_out_by_user_and_thread(client, patient, thread):
    sign_in(client, patient.user)
    html = client.get(f"/patient/messages/{thread.pk}/").content.decode()
    assert f'data-message-draft="{patient.user.pk}.{thread.pk}"' in html
    assert re.search(r"data-draft-notice hidden>You were signed out; your message was kept\.", html)
    assert '<script src="/static/js/message-draft.js" defer></script>' in html


@pytest.mark.django_db
def test_a_new_message_box_is_kept_too(client, patient):
    sign_in(client, patient.user)
    html = client.get("/patient/messages/").content.decode()
    assert f'data-message-draft="{patient.user.pk}.new"' in html


@pytest.mark.django_db
def test_the_care_teams_reply_box_is_not_kept_on_the_device(client, physician, thread):
    sign_in(client, physician)
    html = client.get(f"/clinic/messages/{thread.pk}/").content.decode()
    assert "data-message-draft" not in html and "message-draft.js" not in html
    assert "data-keeps-drafts" not in html


@pytest.mark.django_db
def test_sign_out_forms_are_marked_so_kept_messages_are_removed(client, patient):
    sign_in(client, patient.user)
    html = client.get("/patient/").content.decode()
    assert len(re.findall(r'<form method="post" action="/accounts/logout/"[^>]*data-signout', html)) == 2
