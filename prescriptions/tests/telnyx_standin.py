"""A local stand-in for the parts of Telnyx's v2 API that the fax backend uses, answering as
Telnyx documents them: ``POST /v2/media`` (multipart upload, 200 with ``data.media_name``),
``POST /v2/faxes`` (202 with the fax ``queued``), ``GET /v2/faxes/{id}`` (the fax with its
``status`` and ``failure_reason``), errors as ``{"errors": [{"code", "title", "detail"}]}`` and
401 without the bearer key. Started by the tests in a thread on a free port."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP

from tests.helpers import LocalServer, StandInHandler

API_KEY = "KEY-standin-0123456789"


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class TelnyxStandIn(LocalServer):
    """``create_answers``: what each ``POST /v2/faxes`` answers, in turn (a status code; 202 once
    empty; "slow": the fax is created but the answer comes only after ``slow_seconds``).
    ``final_status``: what ``GET /v2/faxes/{id}`` reports ("delivered" or "failed")."""

    create_answers: deque = field(default_factory=deque)
    final_status: str = "delivered"
    failure_reason: str = "receiver_no_answer"
    slow_seconds: float = 2.0
    media: dict = field(default_factory=dict)
    faxes: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)

    def start(self) -> str:
        standin = self

        class Handler(StandInHandler):
            def _error(self, status: int, code: str, title: str, detail: str) -> None:
                self._answer(status, {"errors": [{"code": code, "title": title, "detail": detail}]})

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self._error(401, "10009", "Authentication failed", "Could not understand the provided credentials.")
                    return False
                return True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                standin.requests.append(("POST", self.path, self.headers.get("Content-Type", "")))
                if not self._authorized():
                    return
                if self.path == "/v2/media":
                    return self._media(body)
                if self.path == "/v2/faxes":
                    return self._fax(body)
                self._error(404, "10005", "Resource not found", self.path)

            def _media(self, body: bytes) -> None:
                content_type = self.headers.get("Content-Type", "")
                if not content_type.startswith("multipart/form-data"):
                    return self._error(422, "10015", "Invalid value", "Upload the media as multipart/form-data.")
                message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
                parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
                if "media" not in parts or "media_name" not in parts:
                    return self._error(422, "10015", "Invalid value", "media and media_name are required.")
                name = parts["media_name"].get_content().strip()
                standin.media[name] = parts["media"].get_payload(decode=True)
                created = _now()
                self._answer(
                    200,
                    {"data": {"media_name": name, "content_type": "application/pdf", "created_at": created,
                              "updated_at": created, "expires_at": created}},
                )  # fmt: skip

            def _fax(self, body: bytes) -> None:
                request = json.loads(body or b"{}")
                status = standin.create_answers.popleft() if standin.create_answers else 202
                if status == 422:
                    return self._error(422, "10015", "Invalid value", "The 'to' number is not a valid fax number.")
                if status != "slow" and status >= 500:
                    return self._error(status, "10007", "Unexpected error", "Please try again later.")
                missing = [key for key in ("connection_id", "from", "to") if not request.get(key)]
                if missing or request.get("media_name") not in standin.media:
                    return self._error(422, "10015", "Invalid value", f"missing or unknown: {missing or 'media_name'}")
                fax = {
                    "id": str(uuid.uuid4()), "record_type": "fax", "direction": "outbound",
                    "connection_id": request["connection_id"], "from": request["from"], "to": request["to"],
                    "media_name": request["media_name"], "quality": request.get("quality", "high"),
                    "status": "queued", "created_at": _now(), "updated_at": _now(),
                }  # fmt: skip
                standin.faxes[fax["id"]] = fax
                if status == "slow":
                    time.sleep(standin.slow_seconds)
                    with contextlib.suppress(OSError):  # the client has given up waiting
                        self._answer(202, {"data": fax})
                    return
                self._answer(202, {"data": fax})

            def do_GET(self):
                standin.requests.append(("GET", self.path, ""))
                if not self._authorized():
                    return
                fax_id = self.path.removeprefix("/v2/faxes/")
                fax = standin.faxes.get(fax_id)
                if fax is None:
                    return self._error(404, "10005", "Resource not found", "The requested fax was not found.")
                fax = {**fax, "status": standin.final_status, "updated_at": _now()}
                if standin.final_status == "failed":
                    fax["failure_reason"] = standin.failure_reason
                self._answer(200, {"data": fax})

        return self.serve(Handler, "telnyx-standin") + "/v2"
