"""An email backend that records each message in the database (``EmailOutbox``).

Used by the reliability tests, the benchmark and demos: because the record is written inside the
sender's transaction, a worker killed mid-send leaves either both the delivery and the "sent"
status or neither, which is what lets the tests count deliveries exactly."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from portal.models import EmailOutbox


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        rows = [
            EmailOutbox(to=", ".join(message.to), subject=message.subject[:255], body=message.body)
            for message in email_messages
        ]
        EmailOutbox.objects.bulk_create(rows)
        return len(rows)
