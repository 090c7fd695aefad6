"""Video visit benchmark (`make bench-video`).

Serves the portal as the Procfile does (gunicorn with two uvicorn workers, so the two sides of a
call may sit on different processes and meet on the Redis channel layer), on PostgreSQL, and drives
two Chromium pages with synthetic cameras and microphones through CALLS calls on loopback: the
patient waits, the physician presses "Admit", both wait for the other's first decoded frame, the
physician ends the call. Per call it records the time from the "Admit" click to the first frame on
each side (both pages read one clock) and every WebSocket message both pages sent and received.
Writes bench/results/video.json. Goal: median under 2 s, no call over 50 signaling messages."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.common import free_port, signed_in_session_key, start_web  # noqa: E402

CALLS = int(os.environ.get("BENCH_VIDEO_CALLS", "10"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RESULTS = BASE_DIR / "bench" / "results" / "video.json"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip


def session_cookie(user, host: str) -> dict:
    return {"name": "sessionid", "value": signed_in_session_key(user), "domain": host, "path": "/"}


def make_visit():
    from patients.models import Appointment, VisitJoinAttempt, VisitType
    from patients.tests.factories import PatientFactory, complete_intake
    from portal.tests.factories import PhysicianLicenseFactory, UserFactory, state

    physician = PhysicianLicenseFactory(state=state("TX"), physician__email="bench.video.doctor@example.com").physician
    patient = PatientFactory(user=UserFactory(email="bench.video.patient@example.com"), state=state("TX"))
    complete_intake(patient)
    starts_at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(microsecond=0)
    visit = Appointment.objects.create(
        patient=patient, physician=physician, visit_type=VisitType.objects.get(kind="initial"),
        location_state=state("TX"), starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=45),
    )  # fmt: skip
    VisitJoinAttempt.objects.create(appointment=visit, user=patient.user, stated_state_code="TX", allowed=True)
    return visit


def serve(port: int) -> subprocess.Popen:
    return start_web(port, {**os.environ, "WEB_CONCURRENCY": "2"})


STATE = "() => window.visitRoom.state()"


def one_call(patient, doctor, base: str, visit) -> dict:
    patient.goto(f"{base}/patient/appointments/{visit.pk}/room/")
    doctor.goto(f"{base}/clinic/appointments/{visit.pk}/room/")
    doctor.get_by_role("button", name="Admit").wait_for(state="visible", timeout=15000)
    doctor.get_by_role("button", name="Admit").click()
    for page in (patient, doctor):
        page.wait_for_function("() => window.visitRoom.state().firstFrameAt !== null", timeout=20000)
    time.sleep(0.5)  # trailing candidates
    doctor.get_by_role("button", name="End the call").click()
    patient.get_by_role("heading", name="Your visit has ended").wait_for(timeout=10000)
    doctor.get_by_role("heading", name="The call has ended").wait_for(timeout=10000)
    patient_state, doctor_state = patient.evaluate(STATE), doctor.evaluate(STATE)
    admitted_at = doctor_state["admitClickedAt"]
    return {
        "patient_first_frame_ms": patient_state["firstFrameAt"] - admitted_at,
        "physician_first_frame_ms": doctor_state["firstFrameAt"] - admitted_at,
        "messages": sum(s["socketSent"] + s["socketReceived"] for s in (patient_state, doctor_state)),
        "signals": sum(s["signalsSent"] for s in (patient_state, doctor_state)),
    }


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)  # a new database each run (Makefile)
    visit = make_visit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cookies = [session_cookie(user, "127.0.0.1") for user in (visit.patient.user, visit.physician)]
    server = serve(port)
    calls = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for cookie in cookies:
                context = browser.new_context()
                context.add_cookies([cookie])
                context.set_default_timeout(15000)
                pages.append(context.new_page())
            patient, doctor = pages
            one_call(patient, doctor, base, visit)  # warm-up: first page loads, first media start
            for number in range(CALLS):
                calls.append(one_call(patient, doctor, base, visit))
                print(f"call {number + 1}: {calls[-1]}", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    slowest_side = [max(c["patient_first_frame_ms"], c["physician_first_frame_ms"]) for c in calls]
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "server": "gunicorn -c portal.gunicorn_conf, 2 uvicorn workers, Redis channel layer, PostgreSQL",
        "calls": calls,
        "admit_to_first_frame_ms": {
            "patient_median": statistics.median(c["patient_first_frame_ms"] for c in calls),
            "physician_median": statistics.median(c["physician_first_frame_ms"] for c in calls),
            "both_sides_median": statistics.median(slowest_side),
            "both_sides_max": max(slowest_side),
        },
        "messages_per_call": {
            "median": statistics.median(c["messages"] for c in calls),
            "max": max(c["messages"] for c in calls),
        },  # fmt: skip
        "goal": {"median_ms": 2000, "max_messages": 50},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("admit_to_first_frame_ms", "messages_per_call")}, indent=2))


if __name__ == "__main__":
    main()
