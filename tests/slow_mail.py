"""An outbox email backend that takes a little time per message, so reliability tests can kill a
worker in the middle of a batch."""

import time

from portal.mail import OutboxEmailBackend


class SlowOutboxEmailBackend(OutboxEmailBackend):
    def send_messages(self, email_messages) -> int:
        time.sleep(0.01)
        return super().send_messages(email_messages)


class SlowFileSinkBackend:
    """A mail server stand-in outside the database: each message handed to it is appended to the
    file ``MAIL_SINK_FILE`` at once and stays there whatever the sender's transaction does, as
    an SMTP server keeps what it accepted. Takes a little time per message."""

    def __init__(self, *args, **kwargs):
        import os

        self.path = os.environ["MAIL_SINK_FILE"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, email_messages) -> int:
        time.sleep(0.01)
        with open(self.path, "a") as sink:
            for message in email_messages:
                sink.write(",".join(message.to) + "\n")
        return len(email_messages)
