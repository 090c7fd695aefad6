"""Every key page of every role, on the demo practice, at 375 and 1280 px wide:

- axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules find no violation of any impact;
- nothing scrolls sideways at 375 px;
- every form control's border and every focus ring reach 3:1 against what is behind them
  (WCAG 1.4.11), read from Chromium's computed styles, and the keyboard's focus is visible at each
  stop of the first tab stops of the page (2.4.7);
- nothing is loaded from outside the portal, and a first visit weighs under 150 KB.

Failures are collected over the whole sweep and reported together. With E2E_SCREENSHOTS set to a
folder (``make screenshots``), each page is also saved there as a PNG at both widths."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from e2e.conftest import run_axe, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEMO_PASSWORD = "ldn-demo-2026"
WIDTHS = (1280, 375)
PAGE_WEIGHT_LIMIT = 150 * 1024
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
TAB_STOPS = 12
STAFF_TOOLS = {"admin"}


def demo_email(name: str) -> str:
    return f"{name}@demo.ldncare.example"


def key_pages() -> dict[str, list[tuple[str, str]]]:
    """(name, path) of the pages each role uses, on the demo data."""
    from education.models import Article
    from patients.models import Appointment, GoodFaithEstimate, Intake, Patient, Thread, VisitNote
    from prescriptions.models import Pharmacy, PrescriptionOrder

    maria = Patient.objects.get(user__email=demo_email("maria.lopez"))
    james = Patient.objects.get(user__email=demo_email("james.carter"))
    sara = Patient.objects.get(user__email=demo_email("sara.miller"))
    booked = Appointment.objects.filter(patient=maria, status=Appointment.Status.BOOKED).earliest("starts_at")
    completed = Appointment.objects.filter(patient=maria, status=Appointment.Status.COMPLETED).latest("starts_at")
    maria_thread = Thread.objects.filter(patient=maria).latest("last_message_at")
    maria_order = PrescriptionOrder.objects.filter(patient=maria).exclude(status="draft").latest("pk")
    maria_draft = PrescriptionOrder.objects.filter(patient=maria, status="draft").latest("pk")
    estimate = GoodFaithEstimate.objects.filter(patient=maria).latest("pk")
    note = VisitNote.objects.filter(appointment=completed).first()
    article = Article.objects.published().order_by("pk").first()
    gulf_coast = Pharmacy.objects.get(memberships__user__email=demo_email("rx.gulfcoast"))
    sara_orders = (
        PrescriptionOrder.objects.filter(patient=sara, pharmacy=gulf_coast)
        .exclude(status__in=["draft", "signed"])
        .order_by("pk")
    )
    james_visit = Appointment.objects.filter(patient=james, status=Appointment.Status.BOOKED).earliest("starts_at")
    assert Intake.objects.filter(patient=james).exists()

    public = [
        ("landing", "/"),
        ("landing-state-check", "/?state=NV"),
        ("prices", "/prices/"),
        ("library", "/learn/"),
        ("library-search", "/learn/?q=washout"),
        ("article", f"/learn/{article.slug}/"),
        ("sign-in", "/accounts/login/"),
        ("sign-up", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
    ]
    patient = [
        ("patient-home", "/patient/"),
        ("appointments", "/patient/appointments/"),
        ("booking", "/patient/appointments/book/"),
        ("cancel-confirm", f"/patient/appointments/{booked.pk}/cancel/"),
        ("reschedule", f"/patient/appointments/{booked.pk}/reschedule/"),
        ("messages", "/patient/messages/"),
        ("thread", f"/patient/messages/{maria_thread.pk}/"),
        ("check-in", "/patient/checkins/new/"),
        ("dose-schedule", "/patient/schedule/"),
        ("orders", "/patient/orders/"),
        ("order", f"/patient/orders/{maria_order.pk}/"),
        ("billing", "/patient/billing/"),
        ("estimate", f"/patient/billing/estimates/{estimate.pk}/"),
        ("patient-library", "/learn/"),
    ]
    patient += [
        ("profile", "/patient/profile/"),
        ("profile-pharmacy", "/patient/profile/pharmacy/"),
        ("move", "/patient/profile/move/"),
        ("move-confirm", "/patient/profile/move/?state=IA"),
        ("notifications", "/patient/profile/notifications/"),
    ]
    intake = [("intake-resume", "/intake/")]
    physician = [
        ("clinic-home", "/clinic/"),
        ("review-queue", "/clinic/reviews/"),
        ("patient-list", "/clinic/patients/"),
        ("chart", f"/clinic/patients/{maria.pk}/"),
        ("chart-pending-review", f"/clinic/patients/{sara.pk}/"),
        ("plan-form", f"/clinic/patients/{maria.pk}/plan/new/"),
        ("clinic-orders", "/clinic/orders/"),
        ("order-draft", f"/clinic/orders/{maria_draft.pk}/"),
        ("schedule", "/clinic/schedule/"),
        ("availability", "/clinic/availability/"),
        ("appointment", f"/clinic/appointments/{booked.pk}/"),
        ("clinic-messages", "/clinic/messages/"),
        ("clinic-thread", f"/clinic/messages/{maria_thread.pk}/"),
    ]
    if note is not None:
        physician.append(("visit-note", f"/clinic/appointments/{completed.pk}/visit-note/"))
    chen = [
        ("chart-in-review", f"/clinic/patients/{james.pk}/"),
        ("visit-open", f"/clinic/appointments/{james_visit.pk}/"),
    ]
    coordinator = [
        ("coordinator-home", "/clinic/"),
        ("recalls", "/clinic/recalls/"),
        ("coordinator-messages", "/clinic/messages/"),
        ("coordinator-chart", f"/clinic/patients/{maria.pk}/"),
        ("book-for-patient", f"/clinic/patients/{maria.pk}/book/"),
    ]
    pharmacy = [("pharmacy-queue", "/pharmacy/")]
    pharmacy += [(f"pharmacy-order-{order.status}", f"/pharmacy/orders/{order.pk}/") for order in sara_orders]
    admin = [
        ("admin-index", "/admin/"),
        ("admin-patients", "/admin/patients/patient/"),
        ("admin-patient", f"/admin/patients/patient/{maria.pk}/change/"),
        ("admin-orders", "/admin/prescriptions/prescriptionorder/"),
        ("admin-appointments", "/admin/patients/appointment/"),
        ("admin-users", "/admin/portal/user/"),
    ]
    admin.append(("styleguide", "/staff/styleguide/"))
    return {
        "public": public,
        "maria.lopez": patient,
        "li.wang": intake,
        # overdue for her follow-up with nothing booked: the booking page shows its times
        "ruth.ellis": [("patient-home", "/patient/"), ("booking", "/patient/appointments/book/")],
        "dr.rivera": physician,
        "dr.chen": chen,
        "nora.quinn": coordinator,
        "rx.gulfcoast": pharmacy,
        "admin": admin,
    }


STAFF = {"dr.rivera", "dr.chen", "nora.quinn", "rx.gulfcoast", "admin"}


def give_staff_their_own_authenticators() -> dict[str, str]:
    """The demo's staff share one TOTP secret, and a code is accepted once: give each their own, so
    that signing in five people does not wait for five 30-second windows."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from portal.models import User

    secrets = {}
    for name in STAFF:
        user = User.objects.get(email=demo_email(name))
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
        secrets[name] = generate_totp_secret()
        TOTP.activate(user, secrets[name])
    return secrets


CONTRAST = Path(__file__).resolve().parent / "contrast.js"


class Sweep:
    def __init__(self, base: str, screenshots: Path | None):
        self.base, self.screenshots = base, screenshots
        self.failures: list[str] = []
        self.weights: dict[str, int] = {}

    def fail(self, where: str, what: str) -> None:
        self.failures.append(f"{where}: {what}")

    def watch(self, page) -> dict:
        """Counts what a first visit transfers: the page as sent and each static file as the
        production server sends it (gzip, by WhiteNoise); and anything from outside the portal.
        Routing every request turns Chromium's cache off, so each page is a first visit."""
        seen = {"bytes": 0, "outside": []}

        def on_request(route):
            route.continue_()

        def on_response(response):
            if not response.url.startswith(self.base):
                seen["outside"].append(response.url)
                return
            if response.status in (204, 301, 302, 303, 304, 307, 308):
                return
            try:
                body = response.body()
            except PlaywrightError:  # a page left before its last request finished
                return
            if "/static/" in response.url:
                body = gzip.compress(body, compresslevel=9) if len(body) > 512 else body
            seen["bytes"] += len(body)

        page.route("**/*", on_request)
        page.on("response", on_response)
        return seen

    def check(self, page, role: str, name: str, path: str, width: int, seen: dict) -> None:
        where = f"{role} {name} ({path}) at {width}px"
        seen["bytes"], seen["outside"] = 0, []
        try:
            response = page.goto(f"{self.base}{path}")
        except PlaywrightError as error:
            self.fail(where, f"did not open: {error.message.splitlines()[0]}")
            return
        page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            self.fail(where, f"answered {response.status if response else 'nothing'}")
            return
        if width == WIDTHS[0]:
            self.weights[f"{role} {name}"] = seen["bytes"]
            # Staff tools (Django's admin with its own scripts, the style guide showing every icon)
            # are measured and listed, not held to the budget of the pages patients and clinicians use.
            if seen["bytes"] > PAGE_WEIGHT_LIMIT and role not in STAFF_TOOLS:
                self.fail(where, f"first visit weighs {seen['bytes'] // 1024} KB")
        if seen["outside"]:
            self.fail(where, f"loaded from outside the portal: {seen['outside'][:3]}")
        result = run_axe(page, AXE_TAGS)
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.fail(where, f"axe {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        if width == 375:
            overflow = page.evaluate(
                "() => { const m = document.querySelector('main') || document.body;"
                " return m.scrollWidth - m.clientWidth; }"
            )
            if overflow > 1:
                self.fail(where, f"scrolls sideways by {overflow}px")
        else:
            page.evaluate(CONTRAST.read_text())
            for problem in page.evaluate("() => window.portalContrast.controlBorders()"):
                self.fail(where, problem)
            self.tab_through(page, where)
        if self.screenshots is not None:
            page.screenshot(path=str(self.screenshots / f"{role}-{name}-{width}.png"), full_page=True)

    def tab_through(self, page, where: str) -> None:
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        seen = []
        for _ in range(TAB_STOPS):
            page.keyboard.press("Tab")
            focus = page.evaluate("() => window.portalContrast.focusIndicator()")
            if focus is None:
                break
            if focus["problem"]:
                self.fail(where, f"tab stop {len(seen) + 1} {focus['name']}: {focus['problem']}")
            seen.append(focus["name"])
        page.evaluate("() => document.activeElement && document.activeElement.blur()")


def test_every_key_page_of_every_role_is_accessible_light_and_self_contained(new_page, asgi_server):
    call_command("seed_demo", verbosity=0)
    secrets = give_staff_their_own_authenticators()
    pages = key_pages()
    folder = os.environ.get("E2E_SCREENSHOTS")
    screenshots = Path(folder) if folder else None
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    sweep = Sweep(asgi_server, screenshots)

    for role, role_pages in pages.items():
        page = new_page(width=WIDTHS[0], height=900)
        if role != "public":
            sign_in(page, asgi_server, demo_email(role), DEMO_PASSWORD, totp_secret=secrets.get(role))
            page.wait_for_url(re.compile(r"^(?!.*/accounts/)"))
        seen = sweep.watch(page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900 if width > 800 else 800})
            for name, path in role_pages:
                sweep.check(page, role, name, path, width, seen)
        page.context.close()

    print(f"\n{sum(len(p) for p in pages.values())} pages, each at {len(WIDTHS)} widths")
    report = "\n".join(f"  {name}: {size / 1024:.1f} KB" for name, size in sorted(sweep.weights.items()))
    print(f"\nfirst-visit weight of each page (HTML as sent + static files gzipped):\n{report}")
    assert not sweep.failures, f"{len(sweep.failures)} problems:\n" + "\n".join(sweep.failures)
