"""Re-encrypt every secret kept at rest under the first key of MFA_ENCRYPTION_KEYS.

Rotation: put the new key first in MFA_ENCRYPTION_KEYS (keep the old one after it), deploy, run
this command, then remove the old key. See docs/architecture.md "Security"."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.crypto import reencrypt_secret
from portal.models import Reminder

AUTHENTICATOR_SECRET_KEYS = ("secret", "seed")


class Command(BaseCommand):
    help = "Re-encrypt authenticator secrets and sealed outbox emails under the first MFA_ENCRYPTION_KEYS key."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        authenticators = 0
        for authenticator in Authenticator.objects.select_for_update().iterator():
            data = dict(authenticator.data or {})
            for key in AUTHENTICATOR_SECRET_KEYS:
                if isinstance(data.get(key), str):
                    data[key] = reencrypt_secret(data[key])
            if isinstance(data.get("migrated_codes"), list):
                data["migrated_codes"] = [reencrypt_secret(code) for code in data["migrated_codes"]]
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            authenticators += 1
        sealed = 0
        for reminder in Reminder.objects.select_for_update().exclude(sealed_message="").only("sealed_message"):
            reminder.sealed_message = reencrypt_secret(reminder.sealed_message)
            reminder.save(update_fields=["sealed_message"])
            sealed += 1
        self.stdout.write(f"Re-encrypted {authenticators} authenticator(s) and {sealed} waiting account email(s).")
