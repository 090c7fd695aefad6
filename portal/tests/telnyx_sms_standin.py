"""A local stand-in for the part of Telnyx Messaging that the text backend uses, answering as
Telnyx's API reference documents it: ``POST /v2/messages`` (JSON with ``to``, ``text`` and ``from``
and/or ``messaging_profile_id``; 200 with the message object, its ``to[0].status`` "queued"),
errors as ``{"errors": [{"code", "title", "detail"}]}``, 401 without the bearer key, and the same
answer (and no second message) for a repeated ``Idempotency-Key``.

It also plays the phone side: :meth:`TelnyxSMSStandIn.reply` builds the ``message.received`` event
Telnyx posts to a messaging profile's webhook when someone texts the practice's number, signed as
Telnyx signs webhooks (Ed25519 over ``"{timestamp}|{payload}"``, in the headers
``Telnyx-Signature-Ed25519`` and ``Telnyx-Timestamp``) with a key pair whose public half the
tests set as ``TELNYX_PUBLIC_KEY``. Started by the tests in a thread on a free port."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from nacl.signing import SigningKey

from tests.helpers import LocalServer, StandInHandler

API_KEY = "KEY-sms-standin-0123456789"
PRACTICE_NUMBER = "+13125550199"
PROFILE_ID = "40017f8e-49bd-4f5b-9b5a-000000000001"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class TelnyxSMSStandIn(LocalServer):
    """``send_answers``: what each ``POST /v2/messages`` answers, in turn (a status code; 200 once
    empty). ``messages``: the messages accepted, in order."""

    send_answers: deque = field(default_factory=deque)
    messages: list = field(default_factory=list)
    requests: list = field(default_factory=list)  # (method, path, Idempotency-Key)
    idempotent: dict = field(default_factory=dict)
    signing_key: SigningKey = field(default_factory=SigningKey.generate)

    @property
    def public_key(self) -> str:
        return base64.b64encode(bytes(self.signing_key.verify_key)).decode()

    def signed(self, event: dict, *, timestamp: int | None = None, key: SigningKey | None = None) -> tuple[bytes, dict]:
        """The body and the headers Telnyx sends with ``event``."""
        body = json.dumps(event)
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = (key or self.signing_key).sign(f"{stamp}|{body}".encode()).signature
        headers = {"Telnyx-Signature-Ed25519": base64.b64encode(signature).decode(), "Telnyx-Timestamp": stamp}
        return body.encode(), headers

    def reply(self, *, from_number: str, text: str, event_id: str | None = None, **signing) -> tuple[bytes, dict]:
        """Someone texts ``text`` from ``from_number`` to the practice's number."""
        event = {
            "data": {
                "event_type": "message.received", "id": event_id or str(uuid.uuid4()),
                "occurred_at": _now(), "record_type": "event",
                "payload": {
                    "direction": "inbound", "id": str(uuid.uuid4()), "record_type": "message", "type": "SMS",
                    "messaging_profile_id": PROFILE_ID, "received_at": _now(), "text": text,
                    "from": {"phone_number": from_number, "carrier": "Standin Wireless", "line_type": "Wireless"},
                    "to": [{"phone_number": PRACTICE_NUMBER, "status": "webhook_delivered"}],
                    "encoding": "GSM-7", "parts": 1,
                },
            },
            "meta": {"attempt": 1, "delivered_to": "https://portal.example.org/sms/inbound/"},
        }  # fmt: skip
        return self.signed(event, **signing)

    def start(self) -> str:
        standin = self

        class Handler(StandInHandler):
            def _error(self, status: int, code: str, title: str, detail: str) -> None:
                self._answer(status, {"errors": [{"code": code, "title": title, "detail": detail}]})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("Idempotency-Key")
                standin.requests.append(("POST", self.path, key))
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._error(401, "10009", "Authentication failed", "Could not understand the credentials.")
                if self.path != "/v2/messages":
                    return self._error(404, "10005", "Resource not found", self.path)
                if key and key in standin.idempotent:
                    return self._answer(*standin.idempotent[key])
                status = standin.send_answers.popleft() if standin.send_answers else 200
                if status == 400:
                    return self._error(400, "40310", "Invalid 'to' address", "The destination number is invalid.")
                if status >= 500:
                    return self._error(status, "10007", "Unexpected error", "Please try again later.")
                if status != 200:
                    return self._error(status, "10011", "Too many requests", "Slow down.")
                request = json.loads(body or b"{}")
                if not request.get("to") or not request.get("text"):
                    return self._error(422, "10015", "Invalid value", "to and text are required.")
                if not (request.get("from") or request.get("messaging_profile_id")):
                    return self._error(422, "40305", "Invalid 'from' address", "from or messaging_profile_id.")
                message = {
                    "record_type": "message", "direction": "outbound", "id": str(uuid.uuid4()), "type": "SMS",
                    "messaging_profile_id": request.get("messaging_profile_id") or PROFILE_ID,
                    "from": {"phone_number": request.get("from") or PRACTICE_NUMBER, "carrier": "Telnyx",
                             "line_type": "Wireless"},
                    "to": [{"phone_number": request["to"], "status": "queued", "carrier": "Standin Wireless",
                            "line_type": "Wireless"}],
                    "text": request["text"], "encoding": "GSM-7", "parts": 1, "media": [],
                    "received_at": _now(), "sent_at": None, "completed_at": None, "errors": [],
                }  # fmt: skip
                standin.messages.append(message)
                answer = (200, {"data": message})
                if key:
                    standin.idempotent[key] = answer
                self._answer(*answer)

        return self.serve(Handler, "telnyx-sms-standin") + "/v2"
