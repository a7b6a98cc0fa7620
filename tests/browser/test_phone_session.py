"""Signed in as a phone expects: the session cookie alone opens the app, signing in then losing
signal still opens Today, next= never leaves this origin, and plain http on a LAN name logs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import (
    LAUNCH_ARGS,
    PHONE,
    ConsoleWatch,
    api_call,
    shoot,
    sign_up,
    wait_for_service_worker,
    wait_until,
)
from .test_threads import add_contact

OFFLINE_NOISE = r"ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch|status of 503"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def log_in(page: Any, path: str = "/login", email: str = "maya@example.com") -> None:
    page.goto(path)
    page.get_by_role("heading", name="Welcome back").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Any) -> None:
    """Log out as a person does, with the app's own button: it waits for the reads already sent,
    where a bare API call would end the session under them (a 401 in the console)."""
    page.goto("/settings")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_the_session_cookie_alone_opens_the_app_signed_in(page: Any) -> None:
    sign_up(page)
    # A web app installed from Safari on macOS copies the cookies, not the storage.
    page.evaluate("() => localStorage.clear()")
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    expect(page.get_by_role("button", name="Create account")).to_have_count(0)


def test_signing_in_then_losing_signal_still_opens_today(page: Any, context: Any, console: Any) -> None:
    console.allow(OFFLINE_NOISE)
    sign_up(page)
    log_out(page)
    log_in(page)
    page.get_by_role("heading", name="Today").wait_for()
    page.evaluate("() => navigator.serviceWorker.ready")

    context.set_offline(True)
    phone = context.new_page()
    phone.goto("/")
    phone.get_by_role("heading", name="Today").wait_for()
    expect(phone.get_by_role("heading", name="Welcome back")).to_have_count(0)
    expect(phone.locator("#banner")).to_contain_text("Offline")


@pytest.mark.parametrize("raw_next", ["/%5Cevil.example/x", "/%09/evil.example", "/\\\\evil.example",
                                      "/.//evil.example", "https://evil.example/", "//evil.example"])
def test_next_after_login_stays_on_this_origin(page: Any, live_server: Any, raw_next: str) -> None:
    sign_up(page)
    log_out(page)
    log_in(page, f"/login?next={raw_next}")
    page.get_by_role("heading", name="Today").wait_for()
    assert urlsplit(page.url).netloc == urlsplit(live_server.url).netloc
    assert urlsplit(page.url).path == "/"


def test_next_after_login_opens_the_screen_asked_for(page: Any) -> None:
    sign_up(page)
    log_out(page)
    log_in(page, f"/login?next={quote('/people?q=tom')}")
    page.get_by_role("heading", name="People").wait_for()
    assert urlsplit(page.url).path == "/people" and urlsplit(page.url).query == "q=tom"


def test_plain_http_on_a_lan_name_logs_and_says_what_needs_https(
    playwright_instance: Any, live_server: Any, console: ConsoleWatch
) -> None:
    port = urlsplit(live_server.url).port
    origin = f"http://rapport-phone.test:{port}"
    browser = playwright_instance.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True,
        args=[*LAUNCH_ARGS, "--host-resolver-rules=MAP rapport-phone.test 127.0.0.1"],
    )
    try:
        context = browser.new_context(base_url=origin, viewport=PHONE, is_mobile=True, has_touch=True,
                                      locale="en-GB", timezone_id="Europe/London")
        context.on("page", console.attach)
        page = context.new_page()
        sign_up(page)
        assert page.evaluate("() => [isSecureContext, typeof crypto.randomUUID, 'serviceWorker' in navigator]") == [
            False, "undefined", False]
        notice = page.get_by_test_id("https-notice")
        expect(notice).to_contain_text("reminders, offline use and installing the app need HTTPS")
        expect(notice.get_by_role("link", name="How to set up HTTPS for your phone")).to_have_attribute(
            "href", "/help/phone")  # the README's "On your phone" section, served by the app
        shoot(page, "https-notice")

        tom = add_contact(page, "Tom Baker", "tom@example.com")
        page.goto(f"/log?contact={tom['id']}")
        page.get_by_role("group", name="I got").get_by_text("Advice").click()
        page.get_by_test_id("save-log").click()
        page.get_by_role("heading", name="Tom Baker").wait_for()
        logs = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
        assert len(logs) == 1 and UUID4.match(logs[0]["uuid"]), logs
        assert [g["category"] for g in logs[0]["received"]] == ["advice"]

        page.get_by_test_id("https-notice").get_by_role("button", name="Got it").click()
        page.reload()
        page.get_by_role("heading", name="Tom Baker").wait_for()
        expect(page.get_by_test_id("https-notice")).to_have_count(0)
        context.close()
    finally:
        browser.close()
    assert console.errors == [], "console errors:\n" + "\n".join(console.errors)


def test_secure_contexts_get_no_https_notice(page: Any) -> None:
    sign_up(page)
    wait_for_service_worker(page)
    expect(page.get_by_test_id("https-notice")).to_have_count(0)


def test_meetings_kept_for_old_reminders_are_forgotten_on_app_start(page: Any) -> None:
    """What the phone keeps for a reminder's offline form does not pile up for ever."""
    sign_up(page)
    wait_for_service_worker(page)
    page.evaluate("""async () => {
        const day = 24 * 3600 * 1000;
        await self.RapportOutbox.keep('meeting:1', {id: 1, end: new Date(Date.now() - 20 * day).toISOString()});
        await self.RapportOutbox.keep('meeting:2', {id: 2, end: new Date(Date.now() - 2 * day).toISOString()});
        await self.RapportOutbox.keep('people', [{id: 9, name: 'Kept'}]);
    }""")
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    # The service worker tidies once the app has started online.
    wait_until(page, "async () => (await self.RapportOutbox.kept('meeting:1')) === undefined")
    kept = page.evaluate("""async () => [Boolean(await self.RapportOutbox.kept('meeting:2')),
        Boolean(await self.RapportOutbox.kept('people'))]""")
    assert kept == [True, True]
