"""The access-audit trail: who looked at which patient's record, what, when and from where."""

from __future__ import annotations

from django.http import HttpRequest

from portal.models import AccessLog, User


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is the proxy's address behind a load balancer; the deployment guide sets
    # the proxy to overwrite X-Forwarded-For so the first entry can be trusted there.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return candidate or None


def access_record(request: HttpRequest, *, patient_user: User, action: str) -> AccessLog | None:
    """Record that ``request.user`` viewed ``patient_user``'s data. A patient viewing their own
    record is not logged (DESIGN.md §3: every view by anyone other than that patient is)."""
    actor = request.user
    if actor.pk == patient_user.pk:
        return None
    return AccessLog.objects.create(
        actor=actor,
        patient=patient_user,
        action=action[:64],
        path=request.path[:255],
        ip_address=client_ip(request),
    )
