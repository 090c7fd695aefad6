"""Session lifetime and the MFA requirement for staff roles (DESIGN.md §3)."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import BigIntegerField
from django.shortcuts import redirect
from django.urls import reverse

from portal.prepared import PreparedQuery

SESSION_STARTED_KEY = "portal.session_started_at"


class SessionLifetimeMiddleware:
    """Ends a signed-in session 12 hours after it began, however active it has been.
    The 30-minute idle limit is the session cookie age, renewed on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "For your security you were signed out after 12 hours. Please sign in again.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


# Whether a user has enrolled an authenticator app (asked on every page of a staff role).
TOTP_ENROLLED = PreparedQuery(
    lambda p: (
        Authenticator.objects.filter(user_id=p("user_id", BigIntegerField()), type=Authenticator.Type.TOTP)
        .order_by()
        .values_list("pk", flat=True)[:1]
    )
)

# Paths a user who still has to enrol MFA may reach: enrolment itself, sign-out, public pages.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/learn/")


class RequireMFAMiddleware:
    """Physicians, pharmacy staff and admins must enrol TOTP before any page with health data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.must_use_mfa
            and request.path != "/"
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not TOTP_ENROLLED.all(user_id=user.pk)
        ):
            messages.warning(
                request,
                "Your role works with health records, so you must set up an authenticator app before you continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
