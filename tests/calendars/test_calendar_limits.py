"""Expansion bounded by the window (checked against dateutil, work counted), the per-user cap
on restore, throttles on uploads and "sync now", shorter deadlines for slow feeds, and a new
calendar read at once by the running worker and planned for its user."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from flask import Flask
from sqlalchemy import select

from server.calendars.bounds import ZONE_TRANSITIONS_MAX, bound_timezones
from server.calendars.parse import parse_feed
from server.calendars.service import CALENDARS_PER_USER_MAX
from server.calendars.sync import SyncJob, SyncResult, fetch_deadline, prepare, store
from server.extensions import db
from server.models.calendars import Calendar
from server.models.push import Notification

from .feedserver import FeedServer, Route
from .icsbuild import vcalendar, vevent

BERLIN = ZoneInfo("Europe/Berlin")
WINDOW = (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC))  # DST on 29 March


@pytest.mark.parametrize("dtstart, rule", [
    ("19900105T090000", "FREQ=DAILY"),
    ("20030107T173000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
    ("20100301T000000", "FREQ=HOURLY;INTERVAL=7"),
    ("19990101T120000", "FREQ=DAILY;INTERVAL=3;UNTIL=20300101T000000Z"),
])
def test_a_far_past_series_expands_to_what_dateutil_says(dtstart: str, rule: str) -> None:
    body = vcalendar(vevent("s", dtstart=f";TZID=Europe/Berlin:{dtstart}", duration="PT30M",
                            rrule=rule), header="X-WR-TIMEZONE:Europe/Berlin")
    feed = parse_feed(body, *WINDOW, "UTC")
    start = datetime.strptime(dtstart, "%Y%m%dT%H%M%S").replace(tzinfo=BERLIN)
    oracle = rrulestr(rule, dtstart=start)
    expected = [
        moment.astimezone(UTC)
        for moment in oracle.between(WINDOW[0] - timedelta(minutes=30), WINDOW[1])
        if moment + timedelta(minutes=30) > WINDOW[0]
    ]
    assert expected, "the case must have occurrences in the window"
    assert sorted(o.start_at for o in feed.occurrences) == expected
    assert feed.warnings == []


def test_minutely_zone_rules_are_dropped_and_yearly_ones_end_after_the_window() -> None:
    zone = "\r\n".join([
        "BEGIN:VTIMEZONE", "TZID:Mixed",
        "BEGIN:STANDARD", "DTSTART:16011028T030000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
        "BEGIN:DAYLIGHT", "DTSTART:19700101T000000", "RRULE:FREQ=MINUTELY",
        "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
        "END:VTIMEZONE",
    ])
    notes: list[str] = []
    text = bound_timezones(vcalendar(zone).decode(), 2026, notes)
    rules = [line for line in text.split("\r\n") if line.startswith("RRULE")]
    assert rules == ["RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10;COUNT=427"]
    # the work left: every transition icalendar will compute, counted with dateutil itself
    steps = sum(1 for _ in rrulestr(rules[0][6:], dtstart=datetime(1601, 10, 28, 3)))
    assert steps == 427 < ZONE_TRANSITIONS_MAX
    assert notes == ["1 time zone rule(s) that change the clock too often were ignored."]


def test_a_series_too_costly_even_in_the_window_is_skipped_with_a_note() -> None:
    minutes = ",".join(str(m) for m in range(60))
    hours = ",".join(str(h) for h in range(24))
    body = vcalendar(
        vevent("heavy", summary="Every minute", dtstart="20000101T000000Z", duration="PT1M",
               rrule=f"FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYHOUR={hours};BYMINUTE={minutes}"),
        vevent("fine", summary="Lunch", dtstart="20260323T120000Z", duration="PT1H"),
    )
    feed = parse_feed(body, *WINDOW, "UTC")
    assert [o.title for o in feed.occurrences] == ["Lunch"]
    assert feed.warnings == ["Skipped 'Every minute': it repeats too often for Rapport to expand."]


def test_only_past_and_empty_calendars_say_so() -> None:
    past = parse_feed(vcalendar(vevent("p", dtstart="20240101T090000Z", duration="PT1H")),
                      *WINDOW, "UTC")
    assert (past.occurrences, past.problem) == ([], "only_past")
    later = parse_feed(vcalendar(vevent("l", dtstart="20270101T090000Z", duration="PT1H")),
                       *WINDOW, "UTC")
    assert (later.occurrences, later.problem) == ([], None)
    empty = parse_feed(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", *WINDOW, "UTC")
    assert empty.problem == "empty"


def test_restore_obeys_the_per_user_calendar_cap(auth_client: Any) -> None:
    document = auth_client.get("/api/export.json").get_json()
    ics = vcalendar(vevent("r", dtstart="20260323T120000Z", duration="PT1H")).decode()
    document["calendars"] = [
        {"name": f"Restored {i}", "source": "upload", "url_hint": "", "created_at": None, "ics": ics}
        for i in range(100)
    ]
    response = auth_client.post("/api/import.json?merge=1", json=document)
    assert response.status_code == 200, response.get_json()
    calendars = auth_client.get("/api/calendars").get_json()
    assert len(calendars) == CALENDARS_PER_USER_MAX
    assert {c["state"] for c in calendars} == {"queued"}


def _upload(client: Any) -> int:
    body = vcalendar(vevent("u", dtstart="20260323T120000Z", duration="PT1H"))
    return client.post("/api/calendars/upload", data={"file": (BytesIO(body), "u.ics")},
                       content_type="multipart/form-data").status_code


def test_uploads_are_throttled_per_user_and_per_address(app_factory: Any, make_user: Any) -> None:
    from tests.conftest import login

    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    app.config.update(CALENDAR_UPLOAD_LIMIT_PER_USER="2 per hour",
                      CALENDAR_UPLOAD_LIMIT_PER_ADDRESS="3 per hour")
    first, second = app.test_client(), app.test_client()
    login(first, make_user("one@example.com").email)
    login(second, make_user("two@example.com").email)
    assert [_upload(first) for _ in range(3)] == [202, 202, 429]  # the user's own limit
    assert [_upload(second) for _ in range(2)] == [202, 429]  # the address has had its three


def test_sync_now_is_throttled_per_user(app_factory: Any, make_user: Any,
                                        feed_server: FeedServer) -> None:
    from tests.conftest import login

    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    app.config["CALENDAR_SYNC_NOW_LIMIT"] = "2 per hour"
    client = app.test_client()
    login(client, make_user().email)
    ids = [client.post("/api/calendars", json={"url": feed_server.url(f"/{i}.ics")}).get_json()["id"]
           for i in range(3)]
    assert [client.post(f"/api/calendars/{i}/sync").status_code for i in ids] == [202, 202, 429]


def test_a_slow_feed_gets_a_shorter_deadline_next_time(app: Flask, auth_client: Any,
                                                      feed_server: FeedServer) -> None:
    calendar_id = auth_client.post("/api/calendars", json={"url": feed_server.url("/x.ics")}).get_json()["id"]
    now = datetime.now(UTC)
    deadlines = []
    with app.app_context():
        for seconds in (59.0, 40.0, 25.0, 1.0):
            job = prepare(calendar_id, now, app.config["SECRET_KEY"])
            assert isinstance(job, SyncJob)
            deadlines.append(job.deadline)
            store(job, SyncResult(fetch_seconds=seconds), now)
        deadlines.append(prepare(calendar_id, now, app.config["SECRET_KEY"]).deadline)
    # slow, slow, slow (each over half its deadline), then fast: 60 → 30 → 15 → 10, back to 15
    assert deadlines == [60.0, 30.0, 15.0, 10.0, 15.0]
    assert fetch_deadline(99) == 10.0


def test_a_new_calendar_is_read_at_once_by_the_running_worker_and_planned(
    app: Flask, auth_client: Any, user: Any, make_contact: Any, feed_server: FeedServer
) -> None:
    from server.worker import sync_calendars_forever

    make_contact(user, name="Tom Baker", emails=["tom@baker.example"])
    ended = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    feed_server.routes["/now.ics"] = Route(body=vcalendar(vevent(
        "n", dtstart=(ended - timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ"),
        dtend=ended.strftime("%Y%m%dT%H%M%SZ"), attendee=";CN=Tom:mailto:tom@baker.example")))
    app.config.update(WORKER_TICK_SECONDS=900.0, CALENDAR_POLL_SECONDS=0.1)  # not the tick
    stop = threading.Event()
    worker = threading.Thread(target=sync_calendars_forever, args=(app, stop), daemon=True)
    worker.start()
    try:
        calendar_id = auth_client.post("/api/calendars", json={"url": feed_server.url("/now.ics")}).get_json()["id"]
        for _ in range(600):
            shown = auth_client.get(f"/api/calendars/{calendar_id}").get_json()
            if shown["state"] == "idle":
                break
            stop.wait(0.05)
    finally:
        stop.set()
        worker.join(30)
    assert (shown["state"], shown["meeting_count"], shown["known_count"]) == ("idle", 1, 1)
    with app.app_context():
        planned = db.session.scalars(select(Notification.kind)).all()
        assert db.session.get(Calendar, calendar_id).sync_state == "idle"
    assert "meeting" in planned  # the prompt for the meeting that just ended is planned at once
