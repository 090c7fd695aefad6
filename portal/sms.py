"""Text messages through a pluggable backend (settings.SMS_BACKEND).

The default backend only logs that a message would go out, by user id and kind: no phone number
and no text in the log. A real provider is a class with ``send(*, to: str, body: str)``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LogSMSBackend:
    def send(self, *, to: str, body: str, user_id: int | None = None, kind: str = "") -> None:
        logger.info("sms for user %s (%s) handed to the log backend", user_id, kind)


class LocmemSMSBackend:
    """Keeps messages in memory for tests."""

    outbox: list[dict] = []

    def send(self, *, to: str, body: str, user_id: int | None = None, kind: str = "") -> None:
        self.outbox.append({"to": to, "body": body, "user_id": user_id, "kind": kind})


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
