from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from portal.models import ServiceState, User, WorkerHeartbeat

ROLE_HOMES = {
    User.Role.PATIENT: "patients:home",
    User.Role.PHYSICIAN: "patients:clinic_home",
    User.Role.PHARMACY: "prescriptions:pharmacy_home",
    User.Role.STAFF: "admin:index",
}


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    states = ServiceState.objects.filter(active=True).order_by("name")
    return render(request, "portal/landing.html", {"states": states})


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Send each person to the home of their role."""
    return redirect(ROLE_HOMES.get(request.user.role, "landing"))


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
    db_ok = database_reachable()
    broker_ok = broker_reachable()
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
    return JsonResponse(body, status=200 if db_ok and broker_ok else 503)


def bench_ok(request: HttpRequest) -> HttpResponse:
    """The load benchmark's baseline: the cheapest page the full middleware stack can serve."""
    return HttpResponse("ok")
