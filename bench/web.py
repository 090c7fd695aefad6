"""Web load benchmark (`make bench`).

Seeds a practice at 1× (1,000 patients, 10,000 messages, 3,000 orders, 5,000 check-ins) and then
at 10× (10,000 patients, 100,000 messages, 30,000 orders, 50,000 check-ins) on PostgreSQL,
serves it with gunicorn under production settings, and drives each key page with wrk from a
second process on loopback. In the same run it measures a minimal view (``HttpResponse("ok")``
through the whole middleware stack) as the baseline, before the first page and after each page,
and reports requests per second, p50 and p95, and each page's throughput as a ratio of the mean
of the two baseline runs around it. Writes bench/results/web.json."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The sessions this process creates must be readable by the gunicorn it starts: one key for both.
BENCH_SECRET_KEY = "bench-only-secret-key-" + "x" * 40
os.environ["DJANGO_SECRET_KEY"] = BENCH_SECRET_KEY
# Production settings need these; the same MFA key in this process (which seeds) and in gunicorn.
BENCH_PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/6"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"),
    "EMAIL_URL": "smtp://127.0.0.1:1025",
    "MFA_ENCRYPTION_KEYS": "YmVuY2gtb25seS1tZmEta2V5LW5vdC1mb3ItdXNlLTA=",
}
os.environ["MFA_ENCRYPTION_KEYS"] = BENCH_PRODUCTION_ENV["MFA_ENCRYPTION_KEYS"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models.base import ModelState  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.common import free_port, signed_in_session_key, start_web  # noqa: E402
from patients.models import CheckIn, Intake, Message, Patient, Thread  # noqa: E402
from portal.models import ServiceState, User  # noqa: E402
from prescriptions.models import PrescriptionOrder, TitrationPlan, TitrationStep  # noqa: E402

SCALE_1X = {"patients": 1000, "messages_per_patient": 10, "orders_per_patient": 3, "checkins_per_patient": 5}
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
PASSWORD_HASH = "!"  # bench accounts never sign in with a password
# PostgreSQL takes at most 65,535 parameters in one statement now that they are bound on the server.
BULK_BATCH = 2000


def clone(template, **changes):
    obj = copy.copy(template)
    obj.pk = None
    obj.id = None
    obj._state = ModelState()
    for key, value in changes.items():
        setattr(obj, key, value)
    return obj


def bench_patient_count() -> int:
    return Patient.objects.filter(user__email__startswith="bench-p").count()


@transaction.atomic
def grow_to(target_patients: int) -> None:
    """Add bench patients (in Texas, so Dr. Rivera and Gulf Coast see them) until there are
    ``target_patients``, each with an intake, check-ins, a thread of messages and orders."""
    have = bench_patient_count()
    if have >= target_patients:
        return
    texas = ServiceState.objects.get(code="TX")
    physician = User.objects.get(email="dr.rivera@demo.ldncare.example")
    template_order = (
        PrescriptionOrder.objects.filter(pharmacy__name="Gulf Coast Compounding").exclude(status="draft").first()
    )
    template_plan = template_order.plan
    template_steps = list(TitrationStep.objects.filter(plan=template_plan))
    template_intake = Intake.objects.filter(submitted_at__isnull=False).first()
    statuses = ["sent", "received", "in_review", "needs_clarification", "compounding", "shipped", "delivered"]
    rng = random.Random(7)
    now = timezone.now()
    for start in range(have, target_patients, 1000):
        end = min(target_patients, start + 1000)
        users = User.objects.bulk_create(
            [User(email=f"bench-p{i}@example.com", role="patient", first_name="Bench", last_name=f"Patient{i:05d}",
                  password=PASSWORD_HASH) for i in range(start, end)]
        )  # fmt: skip
        patients = Patient.objects.bulk_create(
            [Patient(user=u, legal_first_name="Bench", legal_last_name=u.last_name, state=texas,
                     timezone="America/Chicago", date_of_birth=dt.date(1980, 1, 1), address_line1="1 Main St",
                     city="Austin", postal_code="78701", phone="512-555-0100", treatment_phase="titration")
             for u in users]
        )  # fmt: skip
        Intake.objects.bulk_create([clone(template_intake, patient=p) for p in patients])
        CheckIn.objects.bulk_create(
            [CheckIn(patient=p, kind="baseline" if k == 0 else "weekly", pain=rng.randint(2, 9),
                     enjoyment=rng.randint(2, 9), activity=rng.randint(2, 9),
                     recorded_at=now - dt.timedelta(weeks=SCALE_1X["checkins_per_patient"] - k))
             for p in patients for k in range(SCALE_1X["checkins_per_patient"])],
            batch_size=BULK_BATCH,
        )  # fmt: skip
        threads = Thread.objects.bulk_create(
            [Thread(patient=p, subject="Question about my plan", created_by=p.user) for p in patients]
        )
        Message.objects.bulk_create(
            [Message(thread=t, sender=t.created_by if k % 2 == 0 else physician, from_patient=k % 2 == 0,
                     body=f"Message {k} in this thread.", created_at=now - dt.timedelta(hours=100 - k))
             for t in threads for k in range(SCALE_1X["messages_per_patient"])],
            batch_size=BULK_BATCH,
        )  # fmt: skip
        plans = TitrationPlan.objects.bulk_create(
            [clone(template_plan, patient=p, version=1, superseded_at=None) for p in patients]
        )
        TitrationStep.objects.bulk_create([clone(s, plan=plan) for plan in plans for s in template_steps])
        PrescriptionOrder.objects.bulk_create(
            [clone(template_order, patient=p, plan=plan, status=rng.choice(statuses),
                   signed_at=now - dt.timedelta(minutes=rng.randint(1, 50000)))
             for p, plan in zip(patients, plans, strict=True) for _ in range(SCALE_1X["orders_per_patient"])],
            batch_size=BULK_BATCH,
        )  # fmt: skip


def session_cookie(email: str) -> str:
    return f"sessionid={signed_in_session_key(User.objects.get(email=email))}"


def serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        **BENCH_PRODUCTION_ENV,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "BENCH_BASELINE_VIEW": "1",
    }
    return start_web(port, env, "--workers", os.environ.get("BENCH_WORKERS", "2"))


def check_page(url: str, cookie: str) -> None:
    """wrk counts redirects as successes, so first make sure the page really answers 200."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback http only
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request, timeout=30) as response:  # noqa: S310 - a loopback http URL built above
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}, not 200")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def drive(url: str, cookie: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "-s", str(BASE_DIR / "bench" / "report.lua"),
         "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in out.stdout.splitlines() if line.startswith("{"))
    return json.loads(line)


def pages() -> dict[str, tuple[str, str]]:
    """name → (path, whose session)."""
    maria = Patient.objects.get(user__email="maria.lopez@demo.ldncare.example")
    thread = Thread.objects.filter(patient=maria).order_by("pk").first()
    chart_patient = Patient.objects.filter(user__email__startswith="bench-p").order_by("pk").first() or maria
    physician_thread = Thread.objects.filter(patient=chart_patient).first() or thread
    slug = __import__("education.models", fromlist=["Article"]).Article.objects.filter(status="published").first().slug
    return {
        "baseline (ok view)": ("/bench/ok", "patient"),
        "patient dashboard": ("/patient/", "patient"),
        "message thread": (f"/clinic/messages/{physician_thread.pk}/", "physician"),
        "physician patient list": ("/clinic/patients/", "physician"),
        "patient chart": (f"/clinic/patients/{chart_patient.pk}/", "physician"),
        "pharmacy queue": ("/pharmacy/", "pharmacy"),
        "article page": (f"/learn/{slug}/", "patient"),
    }


def measure(label: str) -> dict:
    """Each page is driven between two runs of the baseline, and compared with the mean of those
    two: the machine's speed drifts over a run of several minutes (other tenants of the host), and
    a page compared with a baseline measured minutes earlier would carry that drift."""
    cookies = {
        "patient": session_cookie("maria.lopez@demo.ldncare.example"),
        "physician": session_cookie("dr.rivera@demo.ldncare.example"),
        "pharmacy": session_cookie("rx.gulfcoast@demo.ldncare.example"),
    }
    port = free_port()
    server = serve(port)
    results = {}
    baselines = []
    try:
        targets = pages()
        base_path, base_who = targets.pop("baseline (ok view)")
        base_url = f"http://127.0.0.1:{port}{base_path}"
        check_page(base_url, cookies[base_who])
        drive(base_url, cookies[base_who])  # warm-up
        baselines.append(drive(base_url, cookies[base_who]))
        for name, (path, who) in targets.items():
            check_page(f"http://127.0.0.1:{port}{path}", cookies[who])
            drive(f"http://127.0.0.1:{port}{path}", cookies[who])  # warm-up
            results[name] = {
                "path": re.sub(r"/\d+/", "/<id>/", path),
                **drive(f"http://127.0.0.1:{port}{path}", cookies[who]),
            }
            baselines.append(drive(base_url, cookies[base_who]))
            before, after = baselines[-2], baselines[-1]
            results[name]["baseline_rps"] = round((before["rps"] + after["rps"]) / 2, 1)
            results[name]["baseline_p95_ms"] = round((before["p95_ms"] + after["p95_ms"]) / 2, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = {
        "path": base_path,
        "runs": len(baselines),
        "rps": round(statistics.median(b["rps"] for b in baselines), 1),
        "rps_min": min(b["rps"] for b in baselines),
        "rps_max": max(b["rps"] for b in baselines),
        "p50_ms": round(statistics.median(b["p50_ms"] for b in baselines), 2),
        "p95_ms": round(statistics.median(b["p95_ms"] for b in baselines), 2),
        "p99_ms": round(statistics.median(b["p99_ms"] for b in baselines), 2),
        "requests": sum(b["requests"] for b in baselines),
        "errors": sum(b["errors"] for b in baselines),
        "throughput_vs_baseline": 1.0,
        "p95_vs_baseline": 1.0,
    }
    for row in results.values():
        row["throughput_vs_baseline"] = round(row["rps"] / row["baseline_rps"], 3)
        row["p95_vs_baseline"] = round(row["p95_ms"] / row["baseline_p95_ms"], 2) if row["baseline_p95_ms"] else None
    results = {"baseline (ok view)": base, **results}
    print(f"\n{label}")
    for name, row in results.items():
        print(f"  {name:24} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms  "
              f"×{row['throughput_vs_baseline']:.2f}  errors {row['errors']}")  # fmt: skip
    return results


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("make bench needs DATABASE_URL pointing at PostgreSQL")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR, check=True,
        env={**os.environ, **BENCH_PRODUCTION_ENV},
    )  # fmt: skip
    runs = {}
    for label, factor in (("1x", 1), ("10x", 10)):
        grow_to(SCALE_1X["patients"] * factor)
        # What autovacuum does in production: statistics and the visibility map (index-only scans).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        runs[label] = {
            "data": {
                "patients": Patient.objects.count(),
                "messages": Message.objects.count(),
                "orders": PrescriptionOrder.objects.count(),
                "checkins": CheckIn.objects.count(),
            },
            "pages": measure(label),
        }
    for name in runs["1x"]["pages"]:
        one, ten = runs["1x"]["pages"][name], runs["10x"]["pages"][name]
        runs["10x"]["pages"][name]["rps_vs_1x"] = round(ten["rps"] / one["rps"], 3)
        # The same, with each run's drift taken out by its own baselines.
        runs["10x"]["pages"][name]["vs_baseline_10x_over_1x"] = round(
            ten["throughput_vs_baseline"] / one["throughput_vs_baseline"], 3
        )
    result = {
        "tool": f"wrk -t1 -c{CONNECTIONS} -d{DURATION}, gunicorn --workers {os.environ.get('BENCH_WORKERS', '2')}",
        "goals": {"throughput_vs_baseline_at_least": 0.30, "p95_vs_baseline_at_most": 4.0,
                  "errors": 0, "rps_10x_vs_1x_within": 0.20},
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_at": timezone.now().isoformat(timespec="seconds"),
    }  # fmt: skip
    out = BASE_DIR / "bench" / "results" / "web.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    readme = BASE_DIR / "README.md"
    readme.write_text(with_table(readme.read_text(), result))
    print(f"\nwritten to {out.relative_to(BASE_DIR)} and the table in README.md")


TABLE_START, TABLE_END = "<!-- make bench: web table -->", "<!-- end of the web table -->"


def readme_table(result: dict) -> str:
    """The README's table of a run: each page at 1× and 10× data, against its own baselines."""
    one, ten = result["runs"]["1x"], result["runs"]["10x"]

    def cells(row: dict) -> str:
        return (
            f"{row['rps']:.0f} | {row['p50_ms']:.0f} / {row['p95_ms']:.0f} | "
            f"{row['throughput_vs_baseline']:.2f} ({row['p95_vs_baseline']:.1f}×)"
        )

    lines = [
        f"Data at 1×: {one['data']['patients']:,} patients, {one['data']['messages']:,} messages, "
        f"{one['data']['orders']:,} orders, {one['data']['checkins']:,} check-ins; at 10×: "
        f"{ten['data']['patients']:,}, {ten['data']['messages']:,}, {ten['data']['orders']:,}, "
        f"{ten['data']['checkins']:,}. Measured {result['measured_at'][:10]} ({result['tool']}).",
        "",
        "| page | path | 1× req/s | 1× p50 / p95 ms | 1× vs baseline (p95) | 10× req/s | 10× p50 / p95 ms "
        "| 10× vs baseline (p95) | 10× / 1× req/s (vs baseline) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in ten["pages"].items():
        first = one["pages"][name]
        drift_free = row.get("vs_baseline_10x_over_1x", 1.0)
        lines.append(
            f"| {name} | `{row['path']}` | {cells(first)} | {cells(row)} | {row['rps_vs_1x']:.2f} ({drift_free:.2f}) "
            f"| {first['errors'] + row['errors']} |"
        )
    base_one, base_ten = one["pages"]["baseline (ok view)"], ten["pages"]["baseline (ok view)"]
    lines += [
        "",
        f"The baseline row is the median of its {base_one['runs']} runs at 1× ({base_one['rps_min']:.0f}–"
        f"{base_one['rps_max']:.0f} req/s) and {base_ten['runs']} at 10× ({base_ten['rps_min']:.0f}–"
        f"{base_ten['rps_max']:.0f} req/s).",
    ]
    return "\n".join(lines)


def with_table(text: str, result: dict) -> str:
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[:start] + "\n" + readme_table(result) + "\n" + text[end:]


if __name__ == "__main__":
    main()
