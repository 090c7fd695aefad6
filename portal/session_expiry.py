"""How long a signed-in session has left, for the warning shown two minutes before it ends, and
the tiny endpoint behind its "Stay signed in" button (docs/architecture.md "Session expiry").

A session ends after SESSION_COOKIE_AGE seconds without a request (every request renews it,
SESSION_SAVE_EVERY_REQUEST) or SESSION_ABSOLUTE_SECONDS after sign-in (SessionLifetimeMiddleware),
whichever comes first; only the idle limit can be pushed back."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.middleware import SESSION_STARTED_KEY

# The warning shows this long before the session ends.
WARNING_SECONDS = 120
# A message kept on the device when a session ended is removed after this long if nobody signed
# back in to send it (and at once if someone else signs in, or on sign-out).
DRAFT_KEEP_SECONDS = 60 * 60


def session_seconds_left(session, *, now: float | None = None) -> int:
    """Seconds until this session ends if nothing else is requested (counted from this request,
    which has just renewed the idle limit)."""
    now = time.time() if now is None else now
    left = settings.SESSION_COOKIE_AGE
    started = session.get(SESSION_STARTED_KEY)
    if started is not None:
        left = min(left, int(started) + settings.SESSION_ABSOLUTE_SECONDS - int(now))
    return max(0, int(left))


@never_cache
@require_POST
@login_required
def session_refresh(request: HttpRequest) -> JsonResponse:
    """The request itself renews the session; the answer says for how long. It reads and returns
    nothing else (no health data)."""
    return JsonResponse({"seconds_left": session_seconds_left(request.session)})
