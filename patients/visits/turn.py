"""ICE servers for one participant of a video visit, with TURN credentials minted for them.

The TURN servers (coturn with ``use-auth-secret``) share one secret with the portal and check a
credential without asking anyone: the username is ``<unix expiry>:<label>`` and the password is
base64(HMAC-SHA1(secret, username)). The server refuses it once the expiry has passed, so a page
never holds a lasting password, and nothing in it names the patient or the visit (the label is
random). docs/architecture.md "Video visits" gives the scheme's origin and the ports TURN needs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from django.conf import settings


def turn_credential(*, secret: str, expires_at: int, label: str) -> tuple[str, str]:
    """The (username, password) pair a TURN server configured with ``secret`` accepts until
    ``expires_at`` (seconds since the epoch)."""
    username = f"{expires_at}:{label}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(*, now: float | None = None) -> list[dict]:
    """The RTCPeerConnection ``iceServers`` for one participant, as the browser takes them."""
    if not settings.TURN_URLS:
        return []
    expires_at = int(now if now is not None else time.time()) + settings.TURN_CREDENTIAL_SECONDS
    username, credential = turn_credential(
        secret=settings.TURN_SECRET, expires_at=expires_at, label=secrets.token_hex(8)
    )
    return [{"urls": list(settings.TURN_URLS), "username": username, "credential": credential}]


def ice_transport_policy() -> str:
    return settings.VIDEO_ICE_TRANSPORT_POLICY
