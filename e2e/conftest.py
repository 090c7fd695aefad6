"""Browser journeys: Playwright for Python driving Debian's Chromium against a live server.

The live server runs in this process (pytest-django), so tests read the email outbox and set up
data directly; the browser does everything a person would, by labels and visible text."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
# are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required for the browser journeys ({CHROMIUM}); install Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_page(browser, request):
    """Pages opened during a test; each gets a screenshot if the test fails."""
    ARTIFACTS.mkdir(exist_ok=True)
    contexts = []

    csp_violations: list[str] = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        # Anything the Content-Security-Policy blocks is a page that does not work as written.
        page.on(
            "console",
            lambda message: (
                csp_violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}-{index}.png"), full_page=True)
        context.close()
    assert not csp_violations, "blocked by the Content-Security-Policy:\n" + "\n".join(csp_violations)


# The last 30-second window whose code was used, per secret: allauth accepts a code once.
_USED_WINDOW: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """A code a person would type: never one already used, and never in the last seconds of its
    window (allauth accepts the current window only, so a code typed at :29 can arrive at :30)."""
    while True:
        now = time.time()
        window = int(now) // 30
        if _USED_WINDOW.get(secret) != window and now % 30 < 25:
            break
        time.sleep(30 - now % 30 + 0.2)
    _USED_WINDOW[secret] = window
    return format_hotp_value(hotp_value(secret, window))


def sign_in(page, base_url: str, email: str, password: str, *, totp_secret: str | None = None) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label(re.compile(r"^\s*Email")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret:
        page.get_by_label(re.compile(r"^\s*Code")).fill(totp_code(totp_secret))
        page.get_by_role("button", name="Sign In").click()


def assert_accessible(page, name: str) -> None:
    """No serious or critical WCAG 2.1 AA violation (axe-core), and usable at 375 px wide."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern: a <script> tag added to the page would be (rightly) refused by it.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: accessibility violations:\n" + "\n".join(bad)


def assert_no_horizontal_scroll(page, name: str) -> None:
    overflow = page.evaluate(
        "() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; }"
    )
    assert overflow <= 1, f"{name}: main content scrolls sideways by {overflow}px"
