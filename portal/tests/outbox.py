"""Running the reminder outbox in tests as beat and a worker would."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase

from portal.reminders import reminders_dispatch
from portal.tasks import publish_sends


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Claim every reminder due at ``now`` and send it (tests run tasks in-process). Returns how
    many were claimed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders_dispatch(publish=publish_sends, now=now)
