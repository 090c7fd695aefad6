from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from portal.audit import client_ip
from portal.forms import StateCheckForm
from portal.models import US_STATE_NAMES, ServiceState, User, WorkerHeartbeat
from portal.selectors import practice_physicians, served_state

ROLE_HOMES = {
    User.Role.PATIENT: "patients:home",
    User.Role.PHYSICIAN: "patients:clinic_home",
    User.Role.PHARMACY: "prescriptions:pharmacy_home",
    User.Role.COORDINATOR: "patients:clinic_home",
    User.Role.STAFF: "admin:index",
}


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """What the practice does and how, what a visit costs, who the physicians are, and — before
    anyone creates an account — whether the practice can treat them where they live."""
    states = ServiceState.objects.filter(active=True).order_by("name")
    form = StateCheckForm(request.GET or None)
    checked = served = None
    if form.is_valid():
        checked = form.cleaned_data["state"]
        served = served_state(checked)
    return render(
        request,
        "portal/landing.html",
        {
            "states": states,
            "physicians": practice_physicians(),
            "state_form": form,
            "checked_state": US_STATE_NAMES.get(checked) if checked else None,
            "checked_code": checked,
            "served": served,
        },
    )


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin has no sign-in form of its own: Django's would sign a person in without allauth's
    second factor and outside its rate limits. Everyone signs in through allauth; a signed-in
    person without admin rights is refused here, and an admin (whose session passed MFA, see
    RequireMFAMiddleware) goes on to the admin."""
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied("This account has no access to the administration pages.")
    return redirect(target)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Send each person to the home of their role."""
    return redirect(ROLE_HOMES.get(request.user.role, "landing"))


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not reachable" to a health probe
        return False
    return True


def broker_reachable() -> bool:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            return False
        return os.access(folder, os.W_OK)
    try:
        with Connection(
            url, connect_timeout=2, transport_options={"socket_connect_timeout": 2, "socket_timeout": 2}
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception:  # noqa: BLE001
        return False
    return True


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Anyone learns whether the portal is up; only staff, or a probe on this machine, learn which
    part is down and when the worker last answered."""
    db_ok = database_reachable()
    broker_ok = broker_reachable()
    status = 200 if db_ok and broker_ok else 503
    if not (request.user.is_authenticated and request.user.is_staff) and not is_loopback(client_ip(request)):
        return JsonResponse({"status": "ok" if status == 200 else "not ok"}, status=status)
    heartbeat = None
    if db_ok:
        beat = WorkerHeartbeat.objects.filter(name="beat").first()
        heartbeat = beat.last_seen.isoformat() if beat else None
    body = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": "ok" if db_ok else "unreachable",
        "broker": "ok" if broker_ok else "unreachable",
        "worker_heartbeat": heartbeat,
    }
    return JsonResponse(body, status=status)


def bench_ok(request: HttpRequest) -> HttpResponse:
    """The load benchmark's baseline: the cheapest page the full middleware stack can serve."""
    return HttpResponse("ok")
