"""Text messages through a pluggable backend (settings.SMS_BACKEND; README "Text messages").

A backend is a class with ``send(*, to, body, user_id=None, kind="", reference="")``: ``to`` is an
E.164 number, ``reference`` a key that names this one message (a retried send with the same key is
not sent twice by providers that take one). It raises :class:`SMSSendError` when the provider
refuses or cannot be reached. No backend logs a phone number or a message's words.

- :class:`LogSMSBackend` (the default) only logs that a message would go out, by user id and kind.
- :class:`LocmemSMSBackend` keeps messages in memory for tests.
- ``portal.sms.telnyx.TelnyxSMSBackend`` sends through Telnyx Messaging."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Replies that mean "no more texts" and "texts again", as US carriers and Telnyx read them.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


class SMSSendError(Exception):
    """The provider refused the message or could not be reached. ``reason`` holds the provider's
    words, never the number or the text; ``permanent`` means sending it again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:200]
        self.permanent = permanent


def reply_keyword(text: str) -> str:
    """What a reply asks for: "stop", "start", "help" or "other" (the whole reply is the keyword,
    in any case, with stray spaces or a full stop)."""
    word = (text or "").strip().strip(".!").strip().upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return "other"


class LogSMSBackend:
    def send(self, *, to: str, body: str, user_id: int | None = None, kind: str = "", reference: str = "") -> None:
        logger.info("sms for user %s (%s) handed to the log backend", user_id, kind)


class LocmemSMSBackend:
    """Keeps messages in memory for tests."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str, user_id: int | None = None, kind: str = "", reference: str = "") -> None:
        self.outbox.append({"to": to, "body": body, "user_id": user_id, "kind": kind, "reference": reference})


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
