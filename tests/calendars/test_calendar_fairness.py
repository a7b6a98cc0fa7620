"""One user's slow feeds and one hostile file do not slow anybody else (real servers, real pool)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.calendars.bounded import ParseLimits
from server.calendars.pool import ParserPool
from server.calendars.scheduler import SyncScheduler, sync_due_calendars
from server.extensions import db
from server.models.calendars import Calendar, Meeting

from .feedserver import FeedServer, Route
from .icsbuild import vcalendar, vevent

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
WAIT = 60.0  # an upper bound for waiting on threads, never an assertion about speed

MINUTELY_ZONE = "\r\n".join([
    "BEGIN:VTIMEZONE", "TZID:Hostile",
    "BEGIN:STANDARD", "DTSTART:19700101T000000", "RRULE:FREQ=MINUTELY",
    "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "TZNAME:A", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:19700101T000030", "RRULE:FREQ=MINUTELY",
    "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "TZNAME:B", "END:DAYLIGHT",
    "END:VTIMEZONE",
])


def lunch(uid: str, hours_from_now: float = 5) -> str:
    start = NOW + timedelta(hours=hours_from_now)
    return vevent(uid, dtstart=start.strftime("%Y%m%dT%H%M%SZ"),
                  dtend=(start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ"),
                  attendee=";CN=Tom:mailto:tom@baker.example")


class Drip:
    """A route handler that drips a byte every 0.2 s and counts the connections open at once."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.lock = threading.Lock()
        self.open = 0
        self.most = 0
        self.served = 0

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.open += 1
            self.served += 1
            self.most = max(self.most, self.open)
        request.close_connection = True
        try:
            request.send_response(200)
            request.send_header("Content-Length", "1000000")
            request.end_headers()
            while not self.stop.is_set():
                request.wfile.write(b"B")
                request.wfile.flush()
                self.stop.wait(0.2)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open -= 1


@pytest.fixture
def parsers() -> Iterator[ParserPool]:
    pool = ParserPool(1, ParseLimits(cpu_seconds=1, wall_seconds=30))
    yield pool
    pool.close()


def add_calendar(client: Any, url: str) -> int:
    response = client.post("/api/calendars", json={"name": "Feed", "url": url})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_twenty_drip_feeds_do_not_delay_another_users_first_sync(
    app: Flask, make_user: Any, feed_server: FeedServer, parsers: ParserPool
) -> None:
    from tests.conftest import login

    app.config.update(CALENDAR_FETCH_WORKERS=8, CALENDAR_FETCHES_PER_USER=2)
    drip = Drip(feed_server.stop_event)
    slow_user, victim = app.test_client(), app.test_client()
    login(slow_user, make_user("slow@example.com").email)
    login(victim, make_user("victim@example.com").email)
    for i in range(20):
        feed_server.routes[f"/drip{i}.ics"] = Route(handler=drip)
        add_calendar(slow_user, feed_server.url(f"/drip{i}.ics"))
    feed_server.routes["/victim.ics"] = Route(body=vcalendar(lunch("v")))
    scheduler = SyncScheduler(app, parsers)
    stop = threading.Event()
    runner = threading.Thread(target=lambda: _run(app, scheduler, stop), daemon=True)
    runner.start()
    try:
        with app.app_context():
            while drip.served < 2 and not stop.wait(0.05):
                pass  # the slow user's feeds are being dripped into the pool
        victim_id = add_calendar(victim, feed_server.url("/victim.ics"))
        shown = _wait_until_idle(victim, victim_id)
        assert shown["meeting_count"] == 1 and shown["problem"] is None
        with app.app_context():
            slow_done = db.session.scalars(
                select(Calendar.last_attempt_at).where(Calendar.id != victim_id)
            ).all()
        # the victim was read while every one of the twenty drips was still unfinished,
        assert slow_done == [None] * 20
        # and the slow user never held more than their share of the eight fetchers
        assert drip.most == 2
    finally:
        stop.set()
        feed_server.stop_event.set()
        runner.join(WAIT)
        scheduler.close()


def _run(app: Flask, scheduler: SyncScheduler, stop: threading.Event) -> None:
    with app.app_context():
        scheduler.run_until(stop, 0.05)


def _wait_until_idle(client: Any, calendar_id: int) -> dict[str, Any]:
    waited = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        shown = client.get(f"/api/calendars/{calendar_id}").get_json()
        if shown["state"] == "idle":
            return shown
        waited.wait(0.05)
    raise AssertionError(f"calendar {calendar_id} never synced: {shown}")


def test_minutely_vtimezone_upload_is_cheap_and_off_the_request(
    app: Flask, auth_client: Any, parsers: ParserPool
) -> None:
    start = NOW + timedelta(hours=5)
    event = vevent("z", dtstart=";TZID=Hostile:" + start.strftime("%Y%m%dT%H%M%S"),
                   dtend=";TZID=Hostile:" + (start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S"))
    body = vcalendar(MINUTELY_ZONE, event)
    response = auth_client.post("/api/calendars/upload",
                                data={"file": (BytesIO(body), "hostile.ics")},
                                content_type="multipart/form-data")
    assert response.status_code == 202
    assert response.get_json()["state"] == "queued"  # the request parsed nothing
    assert auth_client.get("/healthz").status_code == 200
    with app.app_context():
        # one second of CPU is all the child may spend: before the bound, this file took minutes
        assert sync_due_calendars(datetime.now(UTC), app, parsers) == 1
        calendar = db.session.scalars(select(Calendar)).one()
        assert (calendar.problem, calendar.meeting_count) == (None, 1)
        assert any("time zone rule" in w for w in calendar.warnings)
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.title == "Lunch with Tom Baker"
    assert parsers.started == 1  # the child was not killed for overrunning
