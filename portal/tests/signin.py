"""Signing a test client in the way allauth's sign-in leaves a session."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.test import Client


def sign_in(client: Client, user, *, mfa: bool = True) -> None:
    """Sign ``user`` in on ``client`` with the records allauth keeps of each sign-in step: the
    password, then (for a user with an authenticator, unless ``mfa=False``) the TOTP code. Staff
    pages answer only sessions with the second step (portal.middleware.RequireMFAMiddleware);
    ``client.force_login`` alone makes a password-only session, as Django's own admin form did."""
    client.force_login(user)
    session = client.session
    record_sign_in_steps(session, user, mfa=mfa)
    session.save()


def record_sign_in_steps(session: SessionBase, user, *, mfa: bool = True) -> None:
    """Write into ``session`` allauth's records of a password step and, for a user with an
    authenticator (unless ``mfa=False``), a TOTP step."""
    request = HttpRequest()
    request.session = session
    record_authentication(request, user, "password", email=user.email)
    if mfa:
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is not None:
            record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
