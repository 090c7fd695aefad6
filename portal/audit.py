"""The access-audit trail: who looked at which patient's record, or which list of patients, what,
when and from where, and which requests for a record outside their scope were refused
(docs/architecture.md "Access audit")."""

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


def _write(request: HttpRequest, *, patient_user: User | None, action: str, outcome: str) -> AccessLog:
    return AccessLog.objects.create(
        actor=request.user,
        patient=patient_user,
        action=action[:64],
        outcome=outcome,
        path=request.path_info[:255],
        ip_address=client_ip(request),
    )


def access_record(request: HttpRequest, *, patient_user: User, action: str) -> AccessLog | None:
    """Record that ``request.user`` viewed ``patient_user``'s data. A patient viewing their own
    record is not logged: every view by anyone other than that patient is."""
    if request.user.pk == patient_user.pk:
        return None
    return _write(request, patient_user=patient_user, action=action, outcome=AccessLog.Outcome.VIEWED)


def access_record_list(request: HttpRequest, *, action: str) -> AccessLog:
    """Record that ``request.user`` viewed a page listing several patients (one row per page view,
    naming the list, not one per patient on it)."""
    return _write(request, patient_user=None, action=action, outcome=AccessLog.Outcome.VIEWED)


class AccessAuditMiddleware:
    """Keeps a refused row for every signed-in request for a record that the URL names (an id in
    the path) and that the person may not see (403) or that is outside their scope (404): probing
    other patients' ids leaves a trace even though it shows nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if (
            response.status_code in (403, 404)
            and request.user.is_authenticated
            and match is not None
            and "pk" in match.kwargs
        ):
            name = match.view_name or match.url_name or "unknown"
            _write(request, patient_user=None, action=f"{name}.refused", outcome=AccessLog.Outcome.REFUSED)
        return response
