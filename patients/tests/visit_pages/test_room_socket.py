"""The video room's signaling socket (patients.visits.consumers), driven through the real ASGI
application: cookies, session, origin check, routing, the channel layer (in memory here)."""

import asyncio
import datetime as dt

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from patients.models import VisitEvent
from patients.tests.booking_helpers import give_hours
from patients.tests.factories import complete_intake
from patients.tests.visit_pages.helpers import TUESDAY_10
from patients.tests.visit_pages.sockets import SocketClient
from patients.visits.services import appointment_book, appointment_join
from portal.asgi import application
from portal.tests.factories import PhysicianLicenseFactory, state
from portal.tests.signin import sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def room(physician, patient, settings):
    """A visit starting in five minutes (the clock ticks), with TURN configured."""
    settings.TURN_URLS = ["turn:turn.example.org:3478?transport=udp"]
    settings.TURN_SECRET = "shared-secret"
    with time_machine.travel(TUESDAY_10 - dt.timedelta(days=1), tick=False) as clock:
        give_hours(physician)
        complete_intake(patient)
        patient.refresh_from_db()
        visit = appointment_book(patient=patient, physician=physician, starts_at=TUESDAY_10, location_state=state("TX"))
        clock.move_to(TUESDAY_10 - dt.timedelta(minutes=5))
        visit.clock = clock
        yield visit


def session_of(user, *, mfa=True) -> str:
    client = Client()
    sign_in(client, user, mfa=mfa)
    return client.cookies["sessionid"].value


async def open_socket(visit_pk, session_key=None, *, origin=b"http://testserver"):
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    socket = SocketClient(application, f"/ws/visits/{visit_pk}/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    return socket, connected


async def closed_with(socket) -> tuple[int, list]:
    """The close code, and every message that came before it."""
    before = []
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output.get("code"), before
        before.append(output)


def test_patient_and_physician_meet_only_after_admit(room, patient, physician):
    appointment_join(appointment=room, user=patient.user, state_code="TX")
    patient_key, physician_key = session_of(patient.user), session_of(physician)

    async def call():
        patient_socket, _ = await open_socket(room.pk, patient_key)
        welcome = await patient_socket.receive_json_from(timeout=5)
        assert welcome["type"] == "welcome" and welcome["role"] == "patient" and welcome["admitted"] is False
        (server,) = welcome["iceServers"]
        assert server["urls"] == ["turn:turn.example.org:3478?transport=udp"]
        assert server["username"].split(":")[0].isdigit() and server["credential"]
        assert welcome["iceTransportPolicy"] == "all"

        physician_socket, _ = await open_socket(room.pk, physician_key)
        assert (await physician_socket.receive_json_from(timeout=5))["role"] == "physician"
        assert await patient_socket.receive_json_from(timeout=5) == {
            "type": "peer",
            "role": "physician",
            "name": physician.display_name,
            "present": True,
        }
        assert await physician_socket.receive_json_from(timeout=5) == {
            "type": "peer",
            "role": "patient",
            "name": patient.full_name,
            "present": True,
        }
        # Before "Admit", nothing passes between them, either way.
        await patient_socket.send_json_to({"type": "signal", "data": {"kind": "restart", "call": None}})
        await physician_socket.send_json_to({"type": "signal", "data": {"kind": "description", "call": "x"}})
        assert await physician_socket.receive_nothing(timeout=0.3)
        assert await patient_socket.receive_nothing(timeout=0.3)
        # The patient cannot admit themselves.
        await patient_socket.send_json_to({"type": "admit"})
        assert await physician_socket.receive_nothing(timeout=0.3)

        await physician_socket.send_json_to({"type": "admit"})
        assert await patient_socket.receive_json_from(timeout=5) == {"type": "admitted"}
        assert await physician_socket.receive_json_from(timeout=5) == {"type": "admitted"}
        offer = {"kind": "description", "call": "c1", "description": {"type": "offer", "sdp": "v=0"}}
        await physician_socket.send_json_to({"type": "signal", "data": offer})
        assert await patient_socket.receive_json_from(timeout=5) == {"type": "signal", "data": offer}
        candidate = {"candidate": "candidate:1 1 udp 2122260223 192.0.2.7 54400 typ host", "sdpMid": "0"}
        await patient_socket.send_json_to(
            {"type": "signal", "data": {"kind": "candidate", "call": "c1", "candidate": candidate, "note": "hi"}}
        )
        relayed = (await physician_socket.receive_json_from(timeout=5))["data"]
        # Rebuilt from WebRTC's own fields: nothing else rides along.
        assert relayed == {
            "kind": "candidate",
            "call": "c1",
            "candidate": {**candidate, "sdpMLineIndex": None, "usernameFragment": None},
        }
        # Anything that is not a signal kind, or not shaped like one, is not relayed.
        await patient_socket.send_json_to({"type": "signal", "data": {"kind": "chat", "text": "hi"}})
        await patient_socket.send_json_to({"type": "signal", "data": {"kind": "candidate", "call": "c1"}})
        await patient_socket.send_json_to(
            {"type": "signal", "data": {"kind": "description", "call": "c1", "description": {"type": "x", "sdp": ""}}}
        )
        assert await physician_socket.receive_nothing(timeout=0.3)

        await physician_socket.send_json_to({"type": "end"})
        assert await patient_socket.receive_json_from(timeout=5) == {"type": "ended"}
        assert await closed_with(patient_socket) == (4000, [])
        await patient_socket.disconnect()  # the server's close handshake completes
        assert await physician_socket.receive_json_from(timeout=5) == {"type": "ended"}
        await physician_socket.disconnect()

    async_to_sync(call)()
    events = [(e.role, e.kind, e.state_code) for e in VisitEvent.objects.order_by("at", "pk")]
    assert events[:4] == [
        ("patient", "joined", "TX"),
        ("physician", "joined", "TX"),
        ("physician", "admitted", "TX"),
        ("physician", "ended", "TX"),
    ]
    assert sorted(events[4:]) == [("patient", "left", "TX"), ("physician", "left", "TX")]


def test_sockets_of_anyone_else_are_closed_and_hear_nothing(room, patient, physician, other_patient, settings):
    """Another patient, a physician not licensed in Texas, the visit's patient without a location
    answer, anyone without a session, a physician without a second factor, and a page of another
    site: refused, while the call goes on undisturbed."""
    appointment_join(appointment=room, user=patient.user, state_code="TX")
    patient_key, physician_key = session_of(patient.user), session_of(physician)
    iowa_physician = PhysicianLicenseFactory(state=state("IA")).physician
    other_key, iowa_key = session_of(other_patient.user), session_of(iowa_physician)
    password_only_key = session_of(physician, mfa=False)

    async def intrusions():
        patient_socket, _ = await open_socket(room.pk, patient_key)
        physician_socket, _ = await open_socket(room.pk, physician_key)
        for socket in (patient_socket, physician_socket):
            await socket.receive_json_from(timeout=5)  # welcome
            await socket.receive_json_from(timeout=5)  # the other one is here
        await physician_socket.send_json_to({"type": "admit"})
        for socket in (patient_socket, physician_socket):
            await socket.receive_json_from(timeout=5)

        for key in (other_key, iowa_key, None):
            intruder, connected = await open_socket(room.pk, key)
            assert connected
            code, before = await closed_with(intruder)
            assert (code, before) == (4404, [])  # not a word about the visit
        intruder, _ = await open_socket(room.pk, password_only_key)
        code, before = await closed_with(intruder)
        assert code == 4403
        assert [m["text"] for m in before if "text" in m][0].count("authenticator") == 1
        foreign, connected = await open_socket(room.pk, physician_key, origin=b"https://evil.example")
        assert not connected

        offer = {"kind": "description", "call": "c1", "description": {"type": "offer", "sdp": "v=0"}}
        await physician_socket.send_json_to({"type": "signal", "data": offer})
        assert (await patient_socket.receive_json_from(timeout=5))["data"] == offer
        assert await patient_socket.receive_nothing(timeout=0.3)  # no presence of any intruder
        assert await physician_socket.receive_nothing(timeout=0.3)
        await patient_socket.disconnect()
        await physician_socket.disconnect()

    async_to_sync(intrusions)()
    assert not VisitEvent.objects.exclude(user__in=[patient.user, physician]).exists()


def test_a_patient_without_a_fresh_location_answer_is_told_to_give_one(room, patient):
    patient_key = session_of(patient.user)

    async def refused():
        socket, _ = await open_socket(room.pk, patient_key)
        code, before = await closed_with(socket)
        assert code == 4403
        (message,) = before
        assert '"attest": true' in message["text"] and "confirm where you are" in message["text"]

    async_to_sync(refused)()
    assert not VisitEvent.objects.exists()


def test_opening_the_room_again_moves_the_call_to_the_new_window(room, patient, physician):
    appointment_join(appointment=room, user=patient.user, state_code="TX")
    patient_key, physician_key = session_of(patient.user), session_of(physician)

    async def two_tabs():
        first, _ = await open_socket(room.pk, patient_key)
        await first.receive_json_from(timeout=5)
        physician_socket, _ = await open_socket(room.pk, physician_key)
        await physician_socket.receive_json_from(timeout=5)
        await physician_socket.receive_json_from(timeout=5)  # patient present
        await first.receive_json_from(timeout=5)  # physician present
        second, _ = await open_socket(room.pk, patient_key)
        await second.receive_json_from(timeout=5)  # welcome
        assert (await second.receive_json_from(timeout=5))["present"] is True
        assert await first.receive_json_from(timeout=5) == {"type": "replaced"}
        assert (await closed_with(first))[0] == 4409
        await first.disconnect()
        # The physician sees the patient arrive again, and no departure of the old window.
        assert (await physician_socket.receive_json_from(timeout=5))["present"] is True
        await asyncio.sleep(0.2)
        assert await physician_socket.receive_nothing(timeout=0.3)
        await second.disconnect()
        assert (await physician_socket.receive_json_from(timeout=5))["present"] is False
        await physician_socket.disconnect()

    async_to_sync(two_tabs)()


def test_oversized_and_malformed_messages_are_ignored(room, patient, physician):
    appointment_join(appointment=room, user=patient.user, state_code="TX")
    patient_key, physician_key = session_of(patient.user), session_of(physician)

    async def noise():
        patient_socket, _ = await open_socket(room.pk, patient_key)
        physician_socket, _ = await open_socket(room.pk, physician_key)
        for socket in (patient_socket, physician_socket):
            await socket.receive_json_from(timeout=5)
            await socket.receive_json_from(timeout=5)
        await physician_socket.send_json_to({"type": "admit"})
        for socket in (patient_socket, physician_socket):
            await socket.receive_json_from(timeout=5)
        await patient_socket.send_to(text_data="{not json")
        await patient_socket.send_to(text_data="[1, 2]")
        await patient_socket.send_to(text_data="[" * 30_000 + "]" * 30_000)  # too deep to parse
        big = {"kind": "candidate", "call": "c", "candidate": {"candidate": "x" * 70_000}}
        await patient_socket.send_json_to({"type": "signal", "data": big})
        await patient_socket.send_json_to({"type": "signal", "data": {"kind": "restart", "call": "c" * 65}})
        assert await physician_socket.receive_nothing(timeout=0.3)
        # The socket is still working.
        await patient_socket.send_json_to({"type": "signal", "data": {"kind": "restart", "call": "c", "failing": 1}})
        assert (await physician_socket.receive_json_from(timeout=5))["data"] == {
            "kind": "restart",
            "call": "c",
            "failing": False,
        }
        await patient_socket.disconnect()
        await physician_socket.disconnect()

    async_to_sync(noise)()


def test_the_page_pings_keep_the_session_alive_through_a_long_call(room, patient, physician):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    physician_key = session_of(physician)
    Session.objects.filter(session_key=physician_key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))

    async def ping():
        socket, _ = await open_socket(room.pk, physician_key)
        await socket.receive_json_from(timeout=5)  # welcome
        await socket.send_json_to({"type": "ping"})
        await socket.send_json_to({"type": "ping"})  # a second one soon after changes nothing
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(ping)()
    renewed = Session.objects.get(session_key=physician_key).expire_date
    assert renewed > timezone.now() + dt.timedelta(minutes=29)


def cancel(visit):
    from patients.models import Appointment

    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED)


def test_an_open_socket_is_checked_again_and_closed_when_the_visit_is_cancelled(room, patient, physician):
    physician_key = session_of(physician)

    async def checked():
        socket, _ = await open_socket(room.pk, physician_key)
        await socket.receive_json_from(timeout=5)  # welcome
        await database_sync_to_async(cancel)(room)
        await socket.send_json_to({"type": "ping"})
        code, before = await closed_with(socket)
        assert code == 4403 and "no longer booked" in before[0]["text"]
        await socket.disconnect()

    async_to_sync(checked)()


def test_a_signed_out_session_closes_the_socket_at_the_next_check(room, patient, physician):
    from django.contrib.sessions.models import Session

    physician_key = session_of(physician)

    async def signed_out():
        socket, _ = await open_socket(room.pk, physician_key)
        await socket.receive_json_from(timeout=5)
        await database_sync_to_async(Session.objects.filter(session_key=physician_key).delete)()
        await socket.send_json_to({"type": "ping"})
        code, before = await closed_with(socket)
        assert code == 4403 and "session has ended" in before[0]["text"]
        await socket.disconnect()

    async_to_sync(signed_out)()
    assert not Session.objects.filter(session_key=physician_key).exists()  # not brought back


def test_the_answer_that_let_the_patient_in_lasts_for_the_whole_call(room, patient, physician):
    appointment_join(appointment=room, user=patient.user, state_code="TX")  # 5 minutes before
    patient_key, physician_key = session_of(patient.user), session_of(physician)

    async def long_call():
        physician_socket, _ = await open_socket(room.pk, physician_key)
        await physician_socket.receive_json_from(timeout=5)
        room.clock.move_to(TUESDAY_10 + dt.timedelta(minutes=20))  # the answer is 25 minutes old
        patient_socket, _ = await open_socket(room.pk, patient_key)
        await patient_socket.receive_json_from(timeout=5)
        await physician_socket.receive_json_from(timeout=5)
        await patient_socket.receive_json_from(timeout=5)
        await physician_socket.send_json_to({"type": "admit"})
        await patient_socket.receive_json_from(timeout=5)
        await patient_socket.send_json_to({"type": "ping"})  # the page's ping keeps the session alive
        assert await patient_socket.receive_nothing(timeout=0.3)
        await patient_socket.disconnect()
        # 40 minutes into the visit the patient's network drops and the page reconnects: the
        # answer is 45 minutes old but let them into the call still under way.
        room.clock.move_to(TUESDAY_10 + dt.timedelta(minutes=40))
        again, _ = await open_socket(room.pk, patient_key)
        welcome = await again.receive_json_from(timeout=5)
        assert welcome["type"] == "welcome" and welcome["admitted"] is True
        assert (await again.receive_json_from(timeout=5))["type"] == "peer"  # the physician is there
        await again.send_json_to({"type": "ping"})  # the periodic check agrees
        assert await again.receive_nothing(timeout=0.3)
        await again.disconnect()
        # Once the physician ends the call, the old answer no longer opens the room.
        await physician_socket.send_json_to({"type": "end"})
        await physician_socket.disconnect()
        late, _ = await open_socket(room.pk, patient_key)
        code, before = await closed_with(late)
        assert code == 4403 and '"attest": true' in before[0]["text"]
        await late.disconnect()

    async_to_sync(long_call)()
