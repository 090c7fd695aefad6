"""The access-audit trail: who looked at which patient's record, what, when and from where."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

from portal.models import AccessLog, User


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person making the request. X-Forwarded-For is only read behind as many
    proxies as ``TRUSTED_PROXY_COUNT`` says (default none): its left part is written by the client
    and can claim any address, so only the entries our own proxies added count."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        ip, _routable = get_client_ip(
            request, proxy_order="right-most", proxy_count=count, request_header_order=["HTTP_X_FORWARDED_FOR"]
        )
    else:
        ip, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return ip


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
