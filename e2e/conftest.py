"""Browser journeys: Playwright for Python driving Debian's Chromium against a live server.

The server (uvicorn, serving the portal's ASGI application as production does) runs in this process,
so tests read the email outbox and set up
data directly; the browser does everything a person would, by labels and visible text."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import sync_playwright

from tests.helpers import free_port

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


# The video journeys: each side gets Chromium's synthetic camera (a moving test pattern) and
# microphone (a beep), granted without a prompt, and may play sound without a click.
VIDEO_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def playwright_driver():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required for the browser journeys ({CHROMIUM}); install Debian's chromium")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def video_browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + VIDEO_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """The portal's ASGI application (pages and the video room's WebSocket) served by uvicorn in a
    thread of this process, on the test database; static files as the live server serves them."""
    import uvicorn
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from portal.asgi import application, http_application

    app = ProtocolTypeRouter(
        {"http": ASGIStaticFilesHandler(http_application), "websocket": application.application_mapping["websocket"]}
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", ws="websockets-sansio", log_level="warning")
    )
    with django_db_blocker.unblock():
        thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the ASGI server did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)


def stun_answers(port: int) -> bool:
    """Whether a STUN server answers a Binding request on 127.0.0.1:``port`` (RFC 8489)."""
    transaction = secrets.token_bytes(12)
    request = (0x0001).to_bytes(2, "big") + (0).to_bytes(2, "big") + (0x2112A442).to_bytes(4, "big") + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.sendto(request, ("127.0.0.1", port))
            answer, _ = probe.recvfrom(2048)
        except OSError:
            return False
    return answer[:2] == (0x0101).to_bytes(2, "big") and answer[8:20] == transaction


class Turn:
    def __init__(self, urls: list[str], secret: str, command: list[str] | None = None, port: int = 0):
        self.urls, self.secret, self.command, self.port = urls, secret, command, port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not stun_answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                pytest.fail(f"coturn did not start: {' '.join(self.command)}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    @contextmanager
    def down(self):
        """The TURN server is gone until the block ends, and comes back with none of its relays:
        every relayed call loses its path and must gather a new one (an ICE restart)."""
        if self.process is None:
            pytest.fail("taking TURN down needs the coturn this run started")
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        try:
            yield
        finally:
            self.start()


@pytest.fixture(scope="session")
def turn(tmp_path_factory):
    """A real coturn on loopback with use-auth-secret: E2E_TURN_URLS and E2E_TURN_SECRET name one
    already running; otherwise this run starts Debian's turnserver with a random secret."""
    if os.environ.get("E2E_TURN_URLS"):
        yield Turn(os.environ["E2E_TURN_URLS"].split(","), os.environ["E2E_TURN_SECRET"])
        return
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("coturn is required for the video journeys (turnserver); install Debian's coturn")
    port, secret = free_port(), secrets.token_urlsafe(24)
    log = tmp_path_factory.mktemp("coturn") / "turnserver.log"
    command = [
        binary, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
        "--min-port=49160", "--max-port=49400", "--use-auth-secret", f"--static-auth-secret={secret}",
        "--realm=ldn-e2e", "--fingerprint", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
        "--no-multicast-peers", f"--log-file={log}", "--simple-log",
    ]  # fmt: skip
    turn = Turn([f"turn:127.0.0.1:{port}?transport=udp"], secret, command, port)
    turn.start()
    yield turn
    turn.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def new_page(browser, request):
    yield from _pages(browser, request)


@pytest.fixture
def new_video_page(video_browser, request):
    """Pages with a synthetic camera and microphone, for the video journeys."""
    yield from _pages(video_browser, request)


def _pages(browser, request):
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
                if "Content Security Policy" in message.text and not AXE_RUNNING.is_set()
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


# While axe-core runs, the Content-Security-Policy messages are its own: some of its checks put
# style attributes on elements they probe, which the page's policy (rightly) refuses.
AXE_RUNNING = threading.Event()


def run_axe(page, tags: list[str]) -> dict:
    """axe-core's results for ``tags`` on the page. Evaluated through the DevTools protocol, which
    the page's Content-Security-Policy does not govern (a <script> tag added to the page would be
    refused by it)."""
    AXE_RUNNING.set()
    try:
        page.evaluate(AXE.read_text())
        result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
        page.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # its console messages arrive first
    finally:
        AXE_RUNNING.clear()
    return result


def assert_accessible(page, name: str) -> None:
    """No serious or critical WCAG 2.1 AA violation (axe-core), and usable at 375 px wide."""
    result = run_axe(page, ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
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


def tap_score(page, question: str, value: int) -> None:
    """Answer a 0–10 question (a row of buttons under the question's legend) by tapping a button."""
    group = page.get_by_role("group", name=re.compile(question))
    group.locator("label.scale-button").filter(has_text=re.compile(rf"^{value}(\D|$)")).click()
    assert group.get_by_role("radio", name=re.compile(rf"^{value}(\D|$)")).is_checked()
