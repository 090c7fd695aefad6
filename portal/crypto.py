"""Secrets kept at rest: Fernet tokens (AES-128-CBC + HMAC-SHA256) under the keys of
``MFA_ENCRYPTION_KEYS``. Two things use them: authenticator secrets (portal/mfa.py) and account
emails waiting in the outbox, whose links sign a person in (portal/account_mail.py). See
docs/architecture.md "Security"."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def secret_box() -> MultiFernet:
    """The keys of ``MFA_ENCRYPTION_KEYS``: the first encrypts, every one of them decrypts, so a key
    can be rotated by putting the new one first and running ``manage.py rotate_secret_keys``
    (which re-encrypts what is stored) before the old key is removed."""
    keys = settings.MFA_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS is empty: secrets cannot be encrypted at rest.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_secret(text: str) -> str:
    return secret_box().encrypt(text.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The clear text. A value that is not a token of one of our keys is refused, never passed
    through as if it were clear text: a row written around the portal must not work."""
    try:
        return secret_box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret could not be decrypted with MFA_ENCRYPTION_KEYS (wrong or rotated-out key)."
        ) from exc


def reencrypt_secret(token: str) -> str:
    """The same secret under the first key (key rotation)."""
    try:
        return secret_box().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("A stored secret could not be decrypted with MFA_ENCRYPTION_KEYS.") from exc


def is_encrypted(value: str) -> bool:
    try:
        secret_box().decrypt(value.encode())
    except InvalidToken:
        return False
    return True
