"""Browser fixtures: the real app on a free local port, Debian's Chromium through Playwright,
a phone-sized page that fails the test on any console error, and screenshot helpers."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from server.keys import vapid_public_key
from tests.conftest import PASSWORD, REPO_ROOT
from tests.push_service import PushService

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives the real browser (its fixtures reach Playwright)."""
    for item in items:
        if "playwright_instance" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def _chromium_or_skip() -> str:
    if not (Path(CHROMIUM).exists() and shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium to run browser tests")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("Python Playwright is not installed")
    return CHROMIUM


class LiveServer:
    """The real WSGI app served by Werkzeug's threaded server on 127.0.0.1."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app under test, listening on a free port for the browser."""
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture
def calendar_worker(app: Flask, live_server: LiveServer) -> Iterator[None]:
    """The worker's calendar sync beside the live server, as `rapport serve` runs it."""
    from server.worker import sync_calendars_forever

    app.config["CALENDAR_POLL_SECONDS"] = 0.1
    stop = threading.Event()
    thread = threading.Thread(target=sync_calendars_forever, args=(app, stop), daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


def wait_for_calendars(page: Any) -> list[dict[str, Any]]:
    """Poll the API (as the Settings screen does) until no calendar is being read."""
    for _ in range(300):
        items = api_call(page, "GET", "/api/calendars")["body"]
        if all(c["state"] == "idle" for c in items):
            return items
        page.wait_for_timeout(100)
    raise AssertionError(f"calendars still syncing: {items}")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    """One Playwright driver for the session."""
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    """Debian's Chromium, headless."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of every page in a context."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Expect messages matching pattern (e.g. network failures while offline)."""
        self.allowed.append(re.compile(pattern))

    def attach(self, page: Any) -> None:
        page.on("console", lambda msg: msg.type == "error" and self._add(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self._add(f"pageerror: {exc}"))

    def _add(self, text: str) -> None:
        if not any(p.search(text) for p in self.allowed):
            self.errors.append(text)


@pytest.fixture
def console() -> ConsoleWatch:
    """The console errors seen during the test; the test fails if any remain."""
    return ConsoleWatch()


@pytest.fixture
def context(browser: Any, live_server: LiveServer, console: ConsoleWatch) -> Iterator[Any]:
    """A fresh phone-sized browser profile pointed at the live server."""
    ctx = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
        locale="en-GB",
        timezone_id="Europe/London",
    )
    ctx.set_default_timeout(15_000)
    ctx.on("page", console.attach)
    yield ctx
    ctx.close()
    assert console.errors == [], "console errors:\n" + "\n".join(console.errors)


@pytest.fixture
def page(context: Any) -> Any:
    """A page in the phone context."""
    return context.new_page()


def shoot(page: Any, name: str, full_page: bool = False) -> None:
    """Save a phone-size screenshot, light and dark, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.evaluate("() => document.fonts.ready")
        page.screenshot(
            path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=full_page, animations="disabled"
        )
    page.emulate_media(color_scheme="light")


def sign_up(page: Any, email: str = "maya@example.com", name: str = "Maya Patel") -> None:
    """Create an account through the welcome screen; ends on Today."""
    page.goto("/")
    page.wait_for_url("**/welcome**")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Today").wait_for()


def reminders_any_hour(page: Any) -> None:
    """Turn quiet hours off (as Settings does), so a reminder due now is sent now whatever the
    hour the suite runs at: the default quiet hours (22:00-07:00 in the user's zone) hold it."""
    answer = api_call(page, "PATCH", "/api/settings", {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"})
    assert answer["status"] == 200, answer


def api_call(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Call the API from inside the page, with the session cookie and the CSRF header."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = (await (await fetch('/api/auth/csrf')).json()).csrf_token;
            const res = await fetch(path, {method, headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                body: body === null ? undefined : JSON.stringify(body)});
            const text = await res.text();
            return {status: res.status, body: text ? JSON.parse(text) : null};
        }""",
        [method, path, body],
    )


def wait_until(page: Any, script: str, timeout_ms: int = 10_000) -> Any:
    """Poll an (async) page function until it answers truthy; its answer.

    `page.wait_for_function` takes the promise an async function returns as truthy, so an
    async condition must be polled from here.
    """
    waited = 0
    while True:
        answer = page.evaluate(script)
        if answer or waited >= timeout_ms:
            assert answer, f"still falsy after {timeout_ms} ms: {script}"
            return answer
        page.wait_for_timeout(100)
        waited += 100


def wait_for_service_worker(page: Any) -> None:
    """Wait until the service worker controls the page (the shell is cached by then)."""
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


# Stands in for the browser's push service registration: the subscription (endpoint and keys)
# comes from the local test push service, so the test can read what the server encrypted.
STUB_SUBSCRIBE = """
(sub) => {
  let current = null;
  const make = () => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: {userVisibleOnly: true, applicationServerKey: null},
    toJSON: () => ({endpoint: sub.endpoint, expirationTime: null, keys: sub.keys}),
    getKey: () => null,
    unsubscribe: async () => { current = null; return true; },
  });
  PushManager.prototype.subscribe = async function () { current = make(); return current; };
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.permissionState = async function () { return 'granted'; };
}
"""


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    """A local push service that decrypts what the server sends to this app's devices."""
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    yield service
    service.stop()
