"""Adding a calendar in Settings: the first read starts at once in the worker, the page shows
it progressing and then the result or the real reason in plain words (real Chromium, phone
size, loopback feed servers)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from server.calendars.outcome import PROBLEMS
from tests.calendars.feedserver import FeedServer, Route
from tests.calendars.icsbuild import vcalendar, vevent

from .conftest import api_call, shoot, sign_up

pytestmark = pytest.mark.usefixtures("calendar_worker")

STAMP = "%Y%m%dT%H%M%SZ"
LOGIN_PAGE = (b"<!doctype html><html><body><h1>Sign in</h1><form><input name=email>"
              b"<input type=password name=pw></form></body></html>")


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.close()


def meeting(uid: str, start: datetime, email: str = "tom@example.com") -> str:
    return vevent(uid, summary="Catch-up", dtstart=start.strftime(STAMP),
                  dtend=(start + timedelta(hours=1)).strftime(STAMP),
                  organizer="mailto:maya@example.com",
                  attendee=f";CN=Someone;PARTSTAT=ACCEPTED:mailto:{email}")


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/cal.ics"


def add_in_settings(page: Any, url: str) -> Any:
    page.goto("/settings")
    page.get_by_label("Secret address (iCal / ICS link)").fill(url)
    page.get_by_role("button", name="Add calendar").click()
    return page.get_by_test_id("calendar-status")


def test_a_good_feed_reports_meetings_and_people_known(page: Any, feeds: FeedServer) -> None:
    sign_up(page)
    api_call(page, "POST", "/api/contacts", {"name": "Tom Baker", "emails": ["tom@example.com"]})
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    feeds.routes["/work.ics"] = Route(body=vcalendar(
        meeting("a", soon), meeting("b", soon + timedelta(days=1)),
        meeting("c", soon + timedelta(days=2), "stranger@example.org"),
    ))
    status = add_in_settings(page, feeds.url("/work.ics"))
    expect(status).to_have_text("3 meetings found, 2 with people you know.", timeout=30_000)
    assert feeds.paths() == ["/work.ics"]  # fetched once, right away, by the worker
    shoot(page, "settings-calendar-found")


CASES = {
    "unreachable": None,
    "not_calendar": Route(body=b"<!doctype html><html><body><p>Our team calendar</p></body></html>",
                          headers={"Content-Type": "text/html"}),
    "needs_secret_login_page": Route(body=LOGIN_PAGE, headers={"Content-Type": "text/html"}),
    "needs_secret_401": Route(status=401, body=b"", etag=False),
    "needs_secret_403": Route(status=403, body=b"", etag=False),
    "only_past": Route(body=vcalendar(meeting("old", datetime(2024, 5, 1, 9, tzinfo=UTC)))),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_failure_is_reported_in_plain_words(page: Any, feeds: FeedServer, case: str) -> None:
    sign_up(page)
    route = CASES[case]
    if route is None:
        url = closed_port_url()
    else:
        feeds.routes["/cal.ics"] = route
        url = feeds.url("/cal.ics")
    status = add_in_settings(page, url)
    kind = case.removesuffix("_login_page").removesuffix("_401").removesuffix("_403")
    expect(status).to_have_text(PROBLEMS[kind].message, timeout=30_000)
    expect(status).to_have_class("row-sub warn-text")
    (calendar,) = api_call(page, "GET", "/api/calendars")["body"]
    assert (calendar["problem"], calendar["state"]) == (kind, "idle")
    shoot(page, f"settings-calendar-{case}")


def test_the_page_shows_the_first_read_progressing(page: Any, feeds: FeedServer) -> None:
    import threading

    release = threading.Event()

    def held(request: Any) -> None:
        release.wait(30)  # answer only once the page has shown the read in progress
        body = vcalendar(meeting("a", datetime.now(UTC) + timedelta(hours=3)))
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    feeds.routes["/slow.ics"] = Route(handler=held)
    sign_up(page)
    status = add_in_settings(page, feeds.url("/slow.ics"))
    try:
        expect(status).to_have_text("Downloading the calendar…", timeout=30_000)
        expect(page.get_by_role("button", name="Sync Calendar")).to_be_disabled()
        shoot(page, "settings-calendar-progress")
    finally:
        release.set()
    expect(status).to_have_text("1 meeting found, 0 with people you know.", timeout=30_000)


def test_settings_says_where_to_find_the_link_for_each_provider(page: Any) -> None:
    sign_up(page)
    page.goto("/settings")
    page.locator("#calendars summary", has_text="Where to find the link").click()
    for text in ("Secret address in iCal format", "Publish a calendar", "public calendar",
                 "Fastmail", "Nextcloud"):
        expect(page.locator("#calendars").get_by_text(text, exact=False).first).to_be_visible()
