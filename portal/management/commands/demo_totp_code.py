import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from portal.demo import DEMO_TOTP_SECRET


def current_demo_code(now: float | None = None) -> str:
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(now or time.time()) // 30))


class Command(BaseCommand):
    help = "Print the current authenticator code of the demo accounts (demo secret only)."

    def handle(self, *args, **options):
        now = int(time.time())
        self.stdout.write(f"{current_demo_code(now)}  (valid for about {30 - now % 30} more seconds)")
