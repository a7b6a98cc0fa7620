"""The signature move, end to end through real parts: a calendar feed served over HTTP, the
worker, the push service that decrypts what we send, and the quick log that closes the loop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from server.keys import vapid_public_key
from server.models import utcnow
from server.worker import run_pass
from tests.calendars.feedserver import FeedServer, Route
from tests.calendars.icsbuild import vcalendar, vevent
from tests.push_service import PushService


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.close()


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    yield service
    service.stop()


def worker_pass(app: Flask, now: datetime) -> dict[str, int]:
    with app.app_context():
        return run_pass(now)


def test_meeting_that_just_ended_prompts_once_and_the_log_closes_it(
    app: Flask, client: Any, feed_server: FeedServer, push_service: PushService
) -> None:
    # A new user signs up, turns quiet hours off and adds Tom.
    r = client.post("/api/auth/register",
                    json={"email": "maya@example.com", "password": "maya's long password",
                          "name": "Maya", "timezone": "Europe/London"})
    assert r.status_code == 201
    client.patch("/api/settings", json={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"})
    tom = client.post("/api/contacts", json={"name": "Tom Baker", "emails": ["tom@acme.example"],
                                             "birthday": "--02-29"}).get_json()
    # Her calendar has a lunch with Tom that ended ten minutes ago.
    now = utcnow()
    lunch = vevent(
        uid="lunch-1@example",
        summary="Lunch with Tom",
        dtstart=ics_time(now - timedelta(minutes=70)),
        dtend=ics_time(now - timedelta(minutes=10)),
        organizer="mailto:maya@example.com",
        extra="ATTENDEE;CN=Tom Baker;PARTSTAT=ACCEPTED:mailto:TOM@acme.example",
    )
    feed_server.routes["/maya.ics"] = Route(body=vcalendar(lunch))
    r = client.post("/api/calendars", json={"name": "Work", "url": feed_server.url("/maya.ics")})
    assert r.status_code in (201, 202), r.get_json()
    # Her phone registers for push.
    device = push_service.new_subscription("Maya's phone")
    r = client.post("/api/push/subscriptions", json=device)
    assert r.status_code in (200, 201), r.get_json()

    worker_pass(app, utcnow())

    payloads = push_service.wait_for(1)
    assert len(payloads) == 1
    prompt = payloads[0]
    meetings = client.get("/api/meetings?unlogged=1").get_json()
    items = meetings["items"] if isinstance(meetings, dict) else meetings
    assert len(items) == 1
    meeting = items[0]
    assert meeting["attendees"][0]["contact_id"] == tom["id"]
    assert meeting["needs_log"] is True
    assert prompt["kind"] == "meeting"
    assert "Tom" in prompt["title"]
    assert prompt["url"] == f"/log?meeting={meeting['id']}"
    assert "give" in prompt["body"].lower()

    # Running the worker again sends nothing more.
    worker_pass(app, utcnow())
    assert len(push_service.received) == 1

    # She logs it from the notification; the meeting no longer needs a log.
    log_id = str(uuid.uuid4())
    body = {
        "occurred_at": meeting["start"],
        "kind": "in_person",
        "contact_ids": [tom["id"]],
        "meeting_id": meeting["id"],
        "gave": [{"category": "intro", "note": "to a CTO"}],
        "received": [{"category": "advice", "note": "pricing"}],
        "challenge": "hiring a CTO",
    }
    assert client.put(f"/api/interactions/{log_id}", json=body).status_code == 201
    assert client.put(f"/api/interactions/{log_id}", json=body).status_code == 200
    after = client.get("/api/meetings?unlogged=1").get_json()
    assert (after["items"] if isinstance(after, dict) else after) == []
    stats = client.get(f"/api/contacts/{tom['id']}").get_json()["stats"]
    assert stats["gave"] == 1 and stats["received"] == 1
    assert stats["last_in_person_at"] is not None
    assert client.get("/api/interactions").get_json()["total"] == 1


def test_a_meeting_logged_before_its_prompt_is_due_gets_none(
    app: Flask, auth_client: Any, user: Any, feed_server: FeedServer, push_service: PushService
) -> None:
    auth_client.patch("/api/settings", json={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00",
                                             "prompt_delay_minutes": 30})
    tom = auth_client.post("/api/contacts", json={"name": "Tom", "emails": ["tom@acme.example"]}).get_json()
    now = utcnow()
    call = vevent(uid="call-1", summary="Call", dtstart=ics_time(now - timedelta(minutes=40)),
                  dtend=ics_time(now - timedelta(minutes=5)),
                  extra="ATTENDEE;CN=Tom;PARTSTAT=ACCEPTED:mailto:tom@acme.example")
    feed_server.routes["/c.ics"] = Route(body=vcalendar(call))
    auth_client.post("/api/calendars", json={"name": "Work", "url": feed_server.url("/c.ics")})
    auth_client.post("/api/push/subscriptions", json=push_service.new_subscription())
    now = utcnow()
    worker_pass(app, now)
    assert push_service.received == []  # due at end + 30 minutes
    meeting = auth_client.get("/api/meetings").get_json()
    meeting = (meeting["items"] if isinstance(meeting, dict) else meeting)[0]
    auth_client.put(f"/api/interactions/{uuid.uuid4()}", json={
        "occurred_at": meeting["start"], "kind": "call", "contact_ids": [tom["id"]],
        "meeting_id": meeting["id"], "gave": [], "received": []})
    worker_pass(app, now + timedelta(minutes=40))
    assert push_service.received == []


def test_a_feed_that_drips_does_not_hold_back_a_due_prompt(
    app: Flask, auth_client: Any, user: Any, feed_server: FeedServer, push_service: PushService
) -> None:
    """The real worker loop: one calendar answers one byte at a time (it would use its whole
    60-second fetch deadline) while a prompt from another calendar falls due."""
    import threading

    from server.worker import run_forever
    from tests.calendars.feedserver import drip

    auth_client.patch("/api/settings", json={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00",
                                             "prompt_delay_minutes": 0})
    auth_client.post("/api/contacts", json={"name": "Tom", "emails": ["tom@acme.example"]})
    now = utcnow()
    # The call ends a few seconds from now; its prompt is due the moment it ends.
    call = vevent(uid="call-2", summary="Call with Tom", dtstart=ics_time(now - timedelta(minutes=30)),
                  dtend=ics_time(now + timedelta(seconds=4)),
                  extra="ATTENDEE;CN=Tom;PARTSTAT=ACCEPTED:mailto:tom@acme.example")
    feed_server.routes["/good.ics"] = Route(body=vcalendar(call))
    auth_client.post("/api/push/subscriptions", json=push_service.new_subscription())
    auth_client.post("/api/calendars", json={"name": "Work", "url": feed_server.url("/good.ics")})
    worker_pass(app, utcnow())
    assert push_service.received == []  # planned, not yet due
    # A second calendar whose server drips arrives before the call ends.
    stop_drip = threading.Event()
    feed_server.routes["/slow.ics"] = Route(handler=drip(stop_drip, interval=0.5))
    auth_client.post("/api/calendars", json={"name": "Slow", "url": feed_server.url("/slow.ics")})
    stop = threading.Event()
    loop = threading.Thread(target=run_forever, args=(app,), kwargs={"stop": stop}, daemon=True)
    loop.start()
    try:
        # The slow feed is being fetched while the prompt goes out.
        payloads = push_service.wait_for(1, timeout=20)
        assert "/slow.ics" in feed_server.paths()
        assert payloads and payloads[0]["kind"] == "meeting"
    finally:
        stop.set()
        stop_drip.set()
        loop.join(timeout=70)
