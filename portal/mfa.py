"""Second-factor rules: authenticator secrets encrypted at rest, and what counts as a session that
completed MFA. See docs/architecture.md "Security"."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.http import HttpRequest

from portal.crypto import decrypt_secret, encrypt_secret


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256)."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)


def session_completed_mfa(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a second factor. allauth records each step of a
    sign-in (password, then TOTP or a recovery code) in the session, tied to the user it was for;
    enrolment alone, or a session opened by a form that skips allauth, has no "mfa" record.
    Only ``request.session`` and ``request.user`` are read, so a WebSocket's scope passes the same
    test (patients.visits.consumers)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def totp_code_valid(user, code: str) -> bool:
    """Whether ``code`` is a current code of ``user``'s authenticator app, for re-authentication
    outside allauth's own pages (signing an order). allauth keeps this check in an internal module;
    it is reached only here, and ``portal/tests/test_mfa_and_sessions.py`` pins its behaviour (a
    current code passes once, a reused or wrong one does not) so an allauth upgrade that changes
    it fails there."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code(code.strip())
