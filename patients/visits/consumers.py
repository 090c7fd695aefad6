"""The video room's signaling socket, ``/ws/visits/<id>/`` (docs/architecture.md "Video visits").

Audio and video go between the two browsers (or through TURN), encrypted end to end by WebRTC;
this socket only carries what they need to find each other: who is present, the physician's
"Admit" and "End", and the session descriptions and ICE candidates, relayed unread to the other
participant. Every socket is checked by ``room_pass`` when it opens, the same rule as the room
page; a socket that fails it never joins the room's group, so it can receive nothing of the call.

Messages between the consumers of one room (on any process) go through the channel layer group
named after the visit's private room name."""

from __future__ import annotations

import json
import time
from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError

from patients.models import Appointment, VisitEvent
from patients.visits.selectors import appointment_list_for, room_admitted
from patients.visits.services import RoomPass, RoomRefused, room_event_record, room_pass
from patients.visits.turn import ice_servers, ice_transport_policy
from portal.mfa import session_completed_mfa
from portal.middleware import session_outlived

# Close codes the room page understands (4000-4999 are the application's own).
CLOSE_NOT_FOUND = 4404
CLOSE_REFUSED = 4403
CLOSE_REPLACED = 4409
CLOSE_ENDED = 4000
# A session description with many candidates is a few kilobytes; nothing legitimate is near this.
MAX_MESSAGE_CHARS = 64 * 1024
SIGNAL_KINDS = frozenset({"description", "candidate", "restart"})
# A call makes no page requests, so the page's pings (every minute) renew the session (idle limit
# 30 minutes) at most this often: the physician can still save the outcome after a long visit.
# Each renewal also checks the session and the room's rule again: a sign-out, a cancelled visit,
# the end of the join window or a lapsed license closes the socket.
SESSION_RENEW_SECONDS = 5 * 60
ROOM_RECHECK_SECONDS = 60
CALL_ID_CHARS = 64


def clean_signal(data) -> dict | None:
    """The signal rebuilt from the fields a browser needs, with their types checked; anything else
    is dropped, so nothing but WebRTC's own data passes from one browser to the other."""
    if not isinstance(data, dict) or data.get("kind") not in SIGNAL_KINDS:
        return None
    call = data.get("call")
    if call is not None and (not isinstance(call, str) or len(call) > CALL_ID_CHARS):
        return None
    clean: dict = {"kind": data["kind"], "call": call}
    if data["kind"] == "description":
        description = data.get("description")
        if not isinstance(description, dict) or description.get("type") not in ("offer", "answer"):
            return None
        if not isinstance(description.get("sdp"), str):
            return None
        clean["description"] = {"type": description["type"], "sdp": description["sdp"]}
    elif data["kind"] == "candidate":
        candidate = data.get("candidate")
        if not isinstance(candidate, dict) or not isinstance(candidate.get("candidate"), str):
            return None
        clean["candidate"] = {
            "candidate": candidate["candidate"],
            "sdpMid": candidate.get("sdpMid") if isinstance(candidate.get("sdpMid"), str) else None,
            "sdpMLineIndex": candidate.get("sdpMLineIndex")
            if isinstance(candidate.get("sdpMLineIndex"), int)
            else None,
            "usernameFragment": candidate.get("usernameFragment")
            if isinstance(candidate.get("usernameFragment"), str)
            else None,
        }
    else:  # restart
        clean["failing"] = data.get("failing") is True
    return clean


class VisitRoomConsumer(AsyncJsonWebsocketConsumer):
    appointment: Appointment | None = None
    room_pass: RoomPass | None = None
    group: str | None = None
    peer_channel: str | None = None
    admitted = False
    session_renewed_at: float | None = None
    room_checked_at = 0.0
    since = 0

    # --- opening and closing ---------------------------------------------------------------------

    async def connect(self) -> None:
        # Accepted first, so that a refusal can say why: a handshake refused outright reaches the
        # page as a bare 1006 with no reason.
        await self.accept()
        try:
            self.appointment, self.room_pass, name = await self._enter()
        except RoomRefused as exc:
            if exc.not_found:
                await self.close(code=CLOSE_NOT_FOUND, reason="not-found")
            else:
                await self.send_json({"type": "refused", "message": exc.message, "attest": exc.attest})
                await self.close(code=CLOSE_REFUSED, reason="refused")
            return
        self.display_name = name
        self.room_checked_at = time.monotonic()
        self.group = f"visit-room.{self.appointment.video_room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Read after joining the group, so an "Admit" pressed meanwhile is not missed.
        self.admitted = await database_sync_to_async(room_admitted)(self.appointment)
        await self.send_json(
            {
                "type": "welcome",
                "role": self.room_pass.role,
                "admitted": self.admitted,
                "iceServers": ice_servers(),
                "iceTransportPolicy": ice_transport_policy(),
            }
        )
        await self._announce(present=True, ask=True)

    async def disconnect(self, code: int) -> None:
        if self.group is None:
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self._announce(present=False, ask=False)
        await self._record(VisitEvent.Kind.LEFT)
        self.group = None

    @database_sync_to_async
    def _enter(self) -> tuple[Appointment, RoomPass, str]:
        user = self.scope["user"]
        session = self.scope["session"]
        if not user.is_authenticated or session_outlived(session):
            raise RoomRefused("Not found.", not_found=True)
        pk = self.scope["url_route"]["kwargs"]["pk"]
        appointment = appointment_list_for(user).filter(pk=pk).first()
        if appointment is None:
            raise RoomRefused("Not found.", not_found=True)
        mfa_completed = session_completed_mfa(SimpleNamespace(session=session, user=user))
        granted = room_pass(appointment=appointment, user=user, mfa_completed=mfa_completed)
        joined = room_event_record(appointment=appointment, user=user, room_pass=granted, kind=VisitEvent.Kind.JOINED)
        # The order connections came in, the same on every process: the newer one of two windows
        # of the same person wins.
        self.since = joined.pk
        # What the other side sees while they wait: the patient's name for the physician, the
        # physician's for the patient.
        if granted.role == VisitEvent.Role.PATIENT:
            name = appointment.patient.full_name
        else:
            name = appointment.physician.display_name
        return appointment, granted, name

    @database_sync_to_async
    def _still_allowed(self) -> str | None:
        """Checks the session and the room's rule again; the reason to close, or None."""
        user = self.scope["user"]
        key = self.scope["session"].session_key
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        if not key or store.get(SESSION_KEY) != str(user.pk) or session_outlived(store):
            return "Your session has ended. Sign in again to return to the visit."
        appointment = appointment_list_for(user).filter(pk=self.appointment.pk).first()
        if appointment is None:
            return "This visit is no longer available to you."
        try:
            # The second factor was checked when the socket opened; a session keeps it.
            room_pass(appointment=appointment, user=user, mfa_completed=True)
        except RoomRefused as exc:
            return exc.message
        if self.session_renewed_at is None or time.monotonic() - self.session_renewed_at >= SESSION_RENEW_SECONDS:
            self.session_renewed_at = time.monotonic()
            try:
                store.save()  # the session as it is now, with a new expiry
            except UpdateError:  # signed out between the read and the write
                return "Your session has ended. Sign in again to return to the visit."
        return None

    @database_sync_to_async
    def _record(self, kind: str) -> None:
        room_event_record(appointment=self.appointment, user=self.scope["user"], room_pass=self.room_pass, kind=kind)

    async def _announce(self, *, present: bool, ask: bool) -> None:
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "room.presence",
                "sender": self.channel_name,
                "role": self.room_pass.role,
                "name": self.display_name,
                "present": present,
                "ask": ask,
                "since": self.since,
            },
        )

    # --- from this participant's browser ---------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.group is None or text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):
            return
        if isinstance(message, dict):
            await self.receive_json(message)

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content.get("type")
        is_physician = self.room_pass.role == VisitEvent.Role.PHYSICIAN
        if kind == "ping":
            due = self.session_renewed_at is None or time.monotonic() - self.room_checked_at >= ROOM_RECHECK_SECONDS
            if due:
                self.room_checked_at = time.monotonic()
                reason = await self._still_allowed()
                if reason:
                    await self.send_json({"type": "refused", "message": reason, "attest": False})
                    await self.close(code=CLOSE_REFUSED, reason="refused")
        elif kind == "signal":
            data = clean_signal(content.get("data"))
            # Nothing passes between the two browsers until the physician has let the patient in.
            if self.admitted and data is not None:
                await self.channel_layer.group_send(
                    self.group, {"type": "room.signal", "sender": self.channel_name, "data": data}
                )
        elif kind == "admit" and is_physician:
            await self._record(VisitEvent.Kind.ADMITTED)
            await self.channel_layer.group_send(self.group, {"type": "room.admitted"})
        elif kind == "end" and is_physician:
            await self._record(VisitEvent.Kind.ENDED)
            await self.channel_layer.group_send(self.group, {"type": "room.ended"})

    # --- from the room's group -------------------------------------------------------------------

    async def room_presence(self, event: dict) -> None:
        if event["sender"] == self.channel_name:
            return
        if event["role"] == self.room_pass.role:
            newer = (event["since"], event["sender"]) > (self.since, self.channel_name)
            if event["present"] and event["ask"] and newer:
                # The same person opened the room again (another tab or device): the older one
                # steps aside, whichever of the two hears the other first.
                await self.send_json({"type": "replaced"})
                await self.close(code=CLOSE_REPLACED, reason="replaced")
            return
        if event["present"]:
            # Two sockets opening together each hear the other's arrival and its reply: tell the
            # page about this connection of the other side once.
            already = event["sender"] == self.peer_channel
            self.peer_channel = event["sender"]
            if event["ask"]:
                await self._announce(present=True, ask=False)
            if already:
                return
        elif event["sender"] != self.peer_channel:
            return  # an older connection of the other side closing, not the one in the room
        else:
            self.peer_channel = None
        await self.send_json(
            {"type": "peer", "role": event["role"], "name": event["name"], "present": event["present"]}
        )

    async def room_signal(self, event: dict) -> None:
        if event["sender"] != self.channel_name and event["sender"] == self.peer_channel and self.admitted:
            await self.send_json({"type": "signal", "data": event["data"]})

    async def room_admitted(self, event: dict) -> None:
        self.admitted = True
        await self.send_json({"type": "admitted"})

    async def room_ended(self, event: dict) -> None:
        self.admitted = False
        await self.send_json({"type": "ended"})
        if self.room_pass.role == VisitEvent.Role.PATIENT:
            await self.close(code=CLOSE_ENDED, reason="ended")
