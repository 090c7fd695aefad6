"""Text messages through Telnyx Messaging with Telnyx's official Python library, the client the
fax already uses (README "Text messages").

Sending is ``POST /v2/messages`` (``messages.send``) from ``TELNYX_SMS_FROM`` and/or the messaging
profile ``TELNYX_MESSAGING_PROFILE_ID``, with the reminder's key as the ``Idempotency-Key`` so a
retried send is not delivered twice. The library's own retries are off: the reminder worker retries
with backoff. Replies (STOP, START, HELP) come to the portal's webhook signed with Ed25519 over
``timestamp|payload``; :func:`inbound_text_read` checks that signature with the library's
``webhooks.unwrap`` and ``TELNYX_PUBLIC_KEY`` before anything in the request is believed."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import telnyx
from django.conf import settings

from portal.sms import SMSSendError

logger = logging.getLogger(__name__)

# A 4xx other than these means the request itself is wrong: sending it again cannot help.
TRANSIENT_CLIENT_ERRORS = {408, 409, 429}


def _client(*, timeout: float) -> telnyx.Telnyx:
    return telnyx.Telnyx(
        api_key=settings.TELNYX_API_KEY or "not-set",
        public_key=settings.TELNYX_PUBLIC_KEY or None,
        base_url=settings.TELNYX_BASE_URL,
        timeout=timeout,
        max_retries=0,
    )


def _reason(error: telnyx.APIStatusError) -> str:
    """Telnyx's error body is {"errors": [{"code", "title", "detail"}]}: its words, which name
    neither the number nor the text."""
    errors = error.body.get("errors") if isinstance(error.body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    words = ": ".join(str(first[part]) for part in ("code", "title") if first.get(part))
    return f"Telnyx answered {error.status_code}" + (f" ({words})" if words else "")


class TelnyxSMSBackend:
    def __init__(self) -> None:
        if not (settings.TELNYX_API_KEY and (settings.TELNYX_SMS_FROM or settings.TELNYX_MESSAGING_PROFILE_ID)):
            raise SMSSendError(
                "Telnyx messaging is not configured (TELNYX_API_KEY and TELNYX_SMS_FROM or "
                "TELNYX_MESSAGING_PROFILE_ID).",
                permanent=True,
            )
        self.client = _client(timeout=settings.TELNYX_SMS_TIMEOUT_SECONDS)

    def send(self, *, to: str, body: str, user_id: int | None = None, kind: str = "", reference: str = "") -> None:
        params: dict = {"to": to, "text": body, "type": "SMS"}
        if settings.TELNYX_SMS_FROM:
            params["from_"] = settings.TELNYX_SMS_FROM
        if settings.TELNYX_MESSAGING_PROFILE_ID:
            params["messaging_profile_id"] = settings.TELNYX_MESSAGING_PROFILE_ID
        if reference:
            params["idempotency_key"] = reference
        try:
            answer = self.client.messages.send(**params)
        except telnyx.APIStatusError as error:
            permanent = 400 <= error.status_code < 500 and error.status_code not in TRANSIENT_CLIENT_ERRORS
            raise SMSSendError(_reason(error), permanent=permanent) from error
        except telnyx.APIConnectionError as error:
            raise SMSSendError("Telnyx could not be reached.") from error
        except telnyx.APIError as error:
            raise SMSSendError("Telnyx's answer could not be read.") from error
        message_id = answer.data.id if answer.data else None
        # Ids only: no number and no words in the log.
        logger.info("sms for user %s (%s) accepted by Telnyx as %s", user_id, kind, message_id)


class SMSSignatureError(Exception):
    """The request was not signed by Telnyx (or not recently)."""


@dataclass(frozen=True)
class InboundText:
    """A text someone sent to the practice's number: Telnyx's event id, their number, the words."""

    event_id: str
    from_number: str
    text: str


def inbound_text_read(payload: bytes, headers: Mapping[str, str]) -> InboundText | None:
    """The text in a signed ``message.received`` webhook, or None for any other (signed) event,
    such as a delivery report. Raises :class:`SMSSignatureError` unless the request carries a valid
    Ed25519 signature from ``TELNYX_PUBLIC_KEY`` over a timestamp at most five minutes old."""
    if not settings.TELNYX_PUBLIC_KEY:
        raise SMSSignatureError("TELNYX_PUBLIC_KEY is not set.")
    try:
        text = payload.decode("utf-8")
        _client(timeout=settings.TELNYX_SMS_TIMEOUT_SECONDS).webhooks.unwrap(
            text, headers=dict(headers.items()), key=settings.TELNYX_PUBLIC_KEY
        )
        event = json.loads(text)
    except (ValueError, telnyx.TelnyxError) as error:
        raise SMSSignatureError(str(error)) from error
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict) or data.get("event_type") != "message.received":
        return None
    message = data.get("payload") if isinstance(data.get("payload"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    if not (data.get("id") and sender.get("phone_number")):
        return None
    return InboundText(
        event_id=str(data["id"])[:100],
        from_number=str(sender["phone_number"]),
        text=str(message.get("text") or ""),
    )
