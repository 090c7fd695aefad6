"""Video visits in real Chromium, two people at once, each with a synthetic camera and microphone:
the portal's ASGI server (pages and the signaling WebSocket) and a real coturn on loopback.

1. The patient confirms Texas and waits; the physician (signed in with TOTP) admits them; both see
   and hear the other (media bytes grow on both sides); the physician ends the call and the visit
   page lists what happened in the room.
2. The same with every path but TURN forbidden (iceTransportPolicy "relay"): the media must go
   through coturn, with the credentials the portal minted.
3. Another patient, a physician not licensed in Texas, the patient before confirming where they
   are, and a patient whose visit is not open yet: refused by the page and by the socket, and
   never sent the other side's offer or candidates.
4. The patient's network drops for five seconds (offline, and the relay frozen): the call comes
   back without reloading the page."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret

from e2e.conftest import assert_accessible, sign_in
from portal.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STATS = "() => window.visitRoom.stats()"
STATE = "() => window.visitRoom.state()"


@pytest.fixture
def video_settings(settings, turn):
    settings.TURN_URLS = turn.urls
    settings.TURN_SECRET = turn.secret
    settings.VIDEO_ICE_TRANSPORT_POLICY = "all"
    return settings


def make_visit(
    *, starts_in=dt.timedelta(minutes=-1), email="video.patient@example.com", physician=None, totp_secret=None
):
    from patients.models import Appointment, VisitType
    from patients.tests.factories import PatientFactory, complete_intake
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    # The physician's own authenticator secret: a code is accepted once, and the journeys sign
    # physicians in back to back (with one shared secret each would wait for the next window).
    secret = totp_secret or generate_totp_secret()
    if physician is None:
        physician = PhysicianLicenseFactory(
            state=state("TX"), physician__email="video.doctor@example.com", physician__first_name="Lena",
            physician__last_name="Ortiz", physician__totp=secret,
        ).physician  # fmt: skip
    patient = PatientFactory(user=UserFactory(email=email), state=state("TX"))
    complete_intake(patient)
    starts_at = (dt.datetime.now(dt.UTC) + starts_in).replace(microsecond=0)
    visit = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="initial"),
        location_state=state("TX"), starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=30),
    )  # fmt: skip
    visit.totp_secret = secret
    return visit


def patient_enters_waiting_room(page, base, visit):
    sign_in(page, base, visit.patient.user.email, TEST_PASSWORD)
    page.goto(f"{base}/patient/appointments/{visit.pk}/join/")
    page.get_by_label(re.compile("Which state are you in right now")).select_option("TX")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Confirm and join").click()
    page.wait_for_url(re.compile(rf"/patient/appointments/{visit.pk}/room/$"))
    page.get_by_text("Your physician will let you in").wait_for()


def physician_admits(page, base, visit):
    sign_in(page, base, visit.physician.email, TEST_PASSWORD, totp_secret=visit.totp_secret)
    page.goto(f"{base}/clinic/appointments/{visit.pk}/room/")
    page.get_by_role("heading", name=re.compile("is in the waiting room")).wait_for()
    page.get_by_role("button", name="Admit").click()


def wait_for_remote_video(page, timeout=10_000):
    page.wait_for_function("() => document.getElementById('remote-video').videoWidth > 0", timeout=timeout)


def media_flows(page, seconds=1.5) -> dict:
    """Inbound video and audio bytes grow on this side; returns the later statistics."""
    before = page.evaluate(STATS)
    time.sleep(seconds)
    after = page.evaluate(STATS)
    assert after["inboundVideoBytes"] > before["inboundVideoBytes"], (before, after)
    assert after["inboundAudioBytes"] > before["inboundAudioBytes"], (before, after)
    return after


def connect_call(new_video_page, base, visit, *, patient_sockets=None):
    patient = new_video_page()
    if patient_sockets is not None:
        # The patient's signaling socket passes through the test, which can cut it.
        def through(route):
            route.connect_to_server()
            patient_sockets.append(route)

        patient.route_web_socket(re.compile(r"/ws/visits/"), through)
    patient_enters_waiting_room(patient, base, visit)
    doctor = new_video_page()
    physician_admits(doctor, base, visit)
    started = time.monotonic()
    wait_for_remote_video(patient)
    wait_for_remote_video(doctor)
    assert time.monotonic() - started < 10
    return patient, doctor


def test_the_physician_admits_the_patient_and_both_see_and_hear_each_other(new_video_page, asgi_server, video_settings):
    visit = make_visit()
    patient, doctor = connect_call(new_video_page, asgi_server, visit)
    media_flows(patient)
    media_flows(doctor)
    patient.get_by_text("You are in the call with Dr. Lena Ortiz").wait_for()
    assert_accessible(patient, "video room: patient in the call")
    # Mute and camera off are the patient's own switches.
    patient.get_by_role("button", name="Mute").click()
    assert patient.get_by_role("button", name="Unmute").get_attribute("aria-pressed") == "true"
    patient.get_by_role("button", name="Unmute").click()

    # Either side can leave and come back; the patient goes straight back into the call.
    patient.get_by_role("link", name="Leave").click()
    patient.wait_for_url(re.compile(r"/patient/appointments/$"))
    doctor.get_by_text(re.compile("has left or lost the connection")).wait_for()
    patient.goto(f"{asgi_server}/patient/appointments/{visit.pk}/room/")
    wait_for_remote_video(patient)
    media_flows(patient)
    doctor.reload()
    wait_for_remote_video(doctor)
    media_flows(doctor)
    media_flows(patient)

    doctor.get_by_role("button", name="End the call").click()
    patient.get_by_role("heading", name="Your visit has ended").wait_for()
    doctor.get_by_role("heading", name="The call has ended").wait_for()
    doctor.get_by_label("Completed").check()
    doctor.get_by_role("button", name="Save outcome").click()
    doctor.get_by_text("Visit outcome saved.").wait_for()
    events = doctor.get_by_role("list", name="Video room events").inner_text()
    for line in ("Patient joined from TX", "Physician joined", "Physician admitted the patient",
                 "Physician ended the call", "Patient left"):  # fmt: skip
        assert line in events, events
    assert re.search(r"Call length: \d+ min \d+ s", doctor.locator("main").inner_text())
    visit.refresh_from_db()
    assert visit.status == "completed"


def test_media_goes_through_the_turn_server_when_only_relay_is_allowed(new_video_page, asgi_server, video_settings):
    video_settings.VIDEO_ICE_TRANSPORT_POLICY = "relay"
    visit = make_visit()
    patient, doctor = connect_call(new_video_page, asgi_server, visit)
    for page in (patient, doctor):
        stats = media_flows(page)
        assert (stats["candidateType"], stats["remoteCandidateType"]) == ("relay", "relay"), stats
    doctor.get_by_text("relayed").wait_for()


def test_nobody_else_gets_into_the_room_or_hears_the_call(new_video_page, asgi_server, video_settings):
    from patients.tests.factories import PatientFactory
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    visit = make_visit()
    later = make_visit(
        starts_in=dt.timedelta(hours=3),
        email="later.patient@example.com",
        physician=visit.physician,
        totp_secret=visit.totp_secret,
    )
    stranger = PatientFactory(user=UserFactory(email="stranger.patient@example.com"), state=state("TX"))
    iowa_doctor = PhysicianLicenseFactory(state=state("IA"), physician__email="iowa.doctor@example.com").physician
    base = asgi_server
    socket_url = base.replace("http://", "ws://") + f"/ws/visits/{visit.pk}/"
    # Opens the room's socket from a page of the portal (so with its cookie and origin) and
    # reports every message received and how the socket closed.
    probe = """async (url) => await new Promise((resolve) => {
        const received = []; const socket = new WebSocket(url);
        socket.onmessage = (e) => received.push(JSON.parse(e.data));
        socket.onclose = (e) => resolve({code: e.code, received});
        setTimeout(() => resolve({code: 'still open', received}), 8000);
    })"""

    # The call is under way while they try.
    patient, doctor = connect_call(new_video_page, asgi_server, visit)

    intruders = [
        ("stranger", stranger.user.email, None, f"/patient/appointments/{visit.pk}/room/", 4404),
        ("Iowa physician", iowa_doctor.email, TEST_TOTP_SECRET, f"/clinic/appointments/{visit.pk}/room/", 4404),
    ]
    for who, email, totp, room_path, code in intruders:
        page = new_video_page()
        sign_in(page, base, email, TEST_PASSWORD, totp_secret=totp)
        assert page.goto(f"{base}{room_path}").status == 404, who
        result = page.evaluate(probe, socket_url)
        assert result == {"code": code, "received": []}, (who, result)

    # The visit's patient in a second browser that has not confirmed a state for a while: the page
    # asks where they are; the socket says why and closes, with nothing of the call.
    from patients.models import VisitJoinAttempt

    VisitJoinAttempt.objects.filter(appointment=visit).update(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    unconfirmed = new_video_page()
    sign_in(unconfirmed, base, visit.patient.user.email, TEST_PASSWORD)
    unconfirmed.goto(f"{base}/patient/appointments/{visit.pk}/room/")
    unconfirmed.wait_for_url(re.compile(rf"/patient/appointments/{visit.pk}/join/$"))
    unconfirmed.get_by_text("Please confirm where you are right now before you join.").wait_for()
    result = unconfirmed.evaluate(probe, socket_url)
    assert result["code"] == 4403 and [m["type"] for m in result["received"]] == ["refused"], result

    # A patient whose own visit is hours away.
    early = new_video_page()
    sign_in(early, base, later.patient.user.email, TEST_PASSWORD)
    early.goto(f"{base}/patient/appointments/{later.pk}/join/")
    early.get_by_text("The video room opens 15 minutes before the visit").wait_for()
    early.goto(f"{base}/patient/appointments/{later.pk}/room/")
    early.get_by_text(re.compile(r"The video room opens on \w+day")).wait_for()
    result = early.evaluate(probe, base.replace("http://", "ws://") + f"/ws/visits/{later.pk}/")
    assert result["code"] == 4403 and "opens on" in result["received"][0]["message"], result
    result = early.evaluate(probe, socket_url)
    assert result == {"code": 4404, "received": []}

    # The call itself carried on untouched.
    media_flows(patient)
    media_flows(doctor)


def test_a_dropped_connection_comes_back_without_reloading(new_video_page, asgi_server, video_settings, turn):
    video_settings.VIDEO_ICE_TRANSPORT_POLICY = "relay"
    visit = make_visit()
    sockets = []
    patient, doctor = connect_call(new_video_page, asgi_server, visit, patient_sockets=sockets)
    media_flows(patient)
    patient.evaluate("() => { window.sameDocument = true; }")
    with turn.down():
        patient.context.set_offline(True)
        sockets[-1].close(code=1001, reason="network gone")  # the signaling socket drops too
        time.sleep(4)
        frozen_at = patient.evaluate(STATS)
        time.sleep(1)
        assert patient.evaluate(STATS)["inboundVideoBytes"] == frozen_at["inboundVideoBytes"]  # really dropped
        patient.context.set_offline(False)
    # Recovered: media flows again both ways, in the same page.
    deadline = time.monotonic() + 20
    while True:
        try:
            media_flows(patient)
            media_flows(doctor)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    assert patient.evaluate("() => window.sameDocument") is True
    # The signaling socket reconnected, and the relay's path was rebuilt by an ICE restart of the
    # same call (not a new call).
    patient_state, doctor_state = patient.evaluate(STATE), doctor.evaluate(STATE)
    assert patient_state["socketOpens"] >= 2, patient_state
    assert doctor_state["recoveries"] >= 1 and patient_state["callId"] == doctor_state["callId"], doctor_state
    patient.get_by_text("You are in the call with Dr. Lena Ortiz").wait_for()
