"""Session lifetime, the MFA requirement for staff roles, and the headers of private pages
(docs/architecture.md "Security")."""

from __future__ import annotations

import time
from functools import wraps

from allauth.mfa.models import Authenticator
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from portal.mfa import session_completed_mfa

SESSION_STARTED_KEY = "portal.session_started_at"


def session_outlived(session) -> bool:
    """Whether a signed-in session began more than SESSION_ABSOLUTE_SECONDS ago. Pages sign such a
    session out; the video room's socket refuses it."""
    started = session.get(SESSION_STARTED_KEY)
    return started is not None and int(time.time()) - int(started) > settings.SESSION_ABSOLUTE_SECONDS


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after it began, however active it has been.
    The 30-minute idle limit is the session cookie age, renewed on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if request.session.get(SESSION_STARTED_KEY) is None:
                request.session[SESSION_STARTED_KEY] = int(time.time())
            elif session_outlived(request.session):
                logout(request)
                messages.info(request, "For your security you were signed out after 12 hours. Please sign in again.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# Paths a user who still has to complete MFA may reach: sign-in and enrolment, sign-out, public pages.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/learn/")


class RequireMFAMiddleware:
    """Physicians, pharmacy staff, practice staff and admins reach pages with health data (the
    admin included) only in a session whose sign-in passed a second factor. Someone who has not
    enrolled an authenticator is sent to enrol; someone enrolled whose session lacks the second
    factor (a session not opened through allauth's sign-in) is asked for a code first.

    The path compared is ``path_info``: ``path`` carries the SCRIPT_NAME prefix, which a client can
    influence behind some proxies and which must never make a chart look like a sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path_info
        if (
            user.is_authenticated
            and user.must_use_mfa
            and path != "/"
            and not path.startswith(MFA_EXEMPT_PREFIXES)
            and not session_completed_mfa(request)
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                return redirect_to_login(request.get_full_path(), login_url=reverse("mfa_reauthenticate"))
            messages.warning(
                request,
                "Your role works with health records, so you must set up an authenticator app before you continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def video_room_page(view):
    """Marks a view whose page runs a video visit. Its Permissions-Policy lets this origin (and no
    frame) use the camera and microphone, which every other page refuses, and its CSP lets it open
    the signaling WebSocket on this same host; nothing else is added."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        socket_origin = f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"
        response = csp_update({"connect-src": [socket_origin]})(view)(request, *args, **kwargs)
        response["Permissions-Policy"] = settings.PERMISSIONS_POLICY_VIDEO
        return response

    return wrapped


class PrivateResponseMiddleware:
    """Every answer to a signed-in person may carry health data, so no cache (the browser's back
    button history on a shared computer, a proxy) may keep it: ``Cache-Control: no-store, private``.
    Also sets the Permissions-Policy header of pages that did not choose their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True, no_cache=True, max_age=0)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
