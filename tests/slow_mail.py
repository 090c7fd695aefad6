"""An outbox email backend that takes a little time per message, so reliability tests can kill a
worker in the middle of a batch."""

import time

from portal.mail import OutboxEmailBackend


class SlowOutboxEmailBackend(OutboxEmailBackend):
    def send_messages(self, email_messages) -> int:
        time.sleep(0.01)
        return super().send_messages(email_messages)
