"""The signature loop as a phone lives it: a reminder pushed into the real service worker, then
no signal, a cold start on the reminder's address, a log saved offline and synced once; Today
before and after a meeting ends; "not worth logging" from a train."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models.calendars import Meeting
from server.models.interactions import Interaction
from server.worker import run_pass
from tests.push_service import LostPush, PushService

from .conftest import (
    STUB_SUBSCRIBE,
    api_call,
    reminders_any_hour,
    shoot,
    sign_up,
    wait_for_calendars,
    wait_for_service_worker,
)
from .test_threads import add_contact, upload_ics

# Offline, fetches fail, and the service worker answers 503 for what it never kept.
OFFLINE_NOISE = r"ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch|status of 503"
STAMP = "%Y%m%dT%H%M%SZ"
pytestmark = [
    pytest.mark.usefixtures("calendar_worker"),  # uploads are read by the worker
    pytest.mark.filterwarnings("always::tests.push_service.LostPush"),  # a redelivery is reported
]

# What the service worker shows, polled every 50 ms (bounded) until a notification is up.
SHOWN = """
async (polls) => {
  const reg = await navigator.serviceWorker.ready;
  for (let i = 0; i < polls; i += 1) {
    const list = await reg.getNotifications();
    if (list.length) {
      return list.map((n) => ({title: n.title, tag: n.tag, data: n.data, actions: (n.actions || []).map((a) => a.title)}));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}
"""

# The people index kept on the phone, waiting (bounded) until it holds `count` people.
KEPT_PEOPLE = """
async (count) => {
  for (let i = 0; i < 300; i += 1) {
    const people = (await self.RapportOutbox.kept('people')) || [];
    if (people.length >= count) return people.map((p) => p.name);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}
"""

# Whether a notification about this meeting is still up, waiting (bounded) for it to close.
REMINDER_CLOSED = """
async (id) => {
  const reg = await navigator.serviceWorker.ready;
  for (let i = 0; i < 300; i += 1) {
    if (!(await reg.getNotifications()).some((n) => n.data && String(n.data.meeting) === String(id))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
"""


def event(uid: str, title: str, start: datetime, end: datetime, *lines: str) -> list[str]:
    return [
        "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{start.strftime(STAMP)}", f"DTSTART:{start.strftime(STAMP)}",
        f"DTEND:{end.strftime(STAMP)}", f"SUMMARY:{title}", "ORGANIZER:mailto:maya@example.com",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Maya Patel:mailto:maya@example.com", *lines, "END:VEVENT",
    ]


def calendar(*events: list[str]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport tests//EN"]
    for e in events:
        lines.extend(e)
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


TOM = "ATTENDEE;PARTSTAT=ACCEPTED;CN=Tom Baker:mailto:tom@example.com"


def meetings_by_title(page: Any) -> dict[str, dict[str, Any]]:
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    items = api_call(page, "GET", f"/api/meetings?from={since}")["body"]["items"]
    return {m["title"]: m for m in items}


def deliver(context: Any, page: Any, origin: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Hand the push service's decrypted payload to the real service worker; the notifications
    it then shows.

    CDP's deliverPushMessage is fire and forget: Chromium answers before the worker has run,
    and drops the message if the worker does not start. If nothing is shown within 15 s the
    message is handed over once more (a reminder carries a tag, so a second copy replaces the
    first rather than adding one), with what CDP saw of the worker kept as a warning; a second
    miss fails with it."""
    cdp = context.new_cdp_session(page)
    seen: list[str] = []
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.on("ServiceWorker.workerVersionUpdated", lambda e: seen.extend(
        f"{v['registrationId']}:{v['status']}/{v['runningStatus']}" for v in e["versions"]))
    cdp.on("ServiceWorker.workerErrorReported", lambda e: seen.append(f"error: {e['errorMessage']}"))
    cdp.send("ServiceWorker.enable")
    checks = 0
    while not any(r["scopeURL"].startswith(origin) and not r["isDeleted"] for r in registrations) and checks < 100:
        page.wait_for_timeout(50)  # let the CDP event arrive; bounded, not an assertion on time
        checks += 1
    registration = next(r for r in registrations if r["scopeURL"].startswith(origin) and not r["isDeleted"])
    message = {"origin": origin, "registrationId": registration["registrationId"], "data": json.dumps(payload)}
    for attempt in (1, 2):
        cdp.send("ServiceWorker.deliverPushMessage", message)
        shown = page.evaluate(SHOWN, 300)
        if shown:
            return shown
        warnings.warn(f"push {attempt} not shown within 15 s; worker versions seen: {seen}", LostPush, stacklevel=2)
    raise AssertionError(f"the service worker showed no notification; worker versions seen: {seen}")


def subscribe_device(page: Any, context: Any, origin: str, push_service: PushService) -> dict[str, Any]:
    """Before sign-up: this phone's push subscription points at the local push service."""
    sub = push_service.new_subscription()
    context.grant_permissions(["notifications"], origin=origin)
    page.add_init_script(script=f"({STUB_SUBSCRIBE})({json.dumps(sub)})")
    return sub


def worker_pass(app: Flask, push_service: PushService) -> dict[str, Any]:
    """One worker pass plans and sends the meeting's reminder; the payload as the phone got it."""
    with app.app_context():
        figures = run_pass(datetime.now(UTC), sync_calendars=False)
    assert figures.get("notifications_sent") == 1, figures
    received = push_service.wait_for(1)
    assert len(received) == 1, push_service.messages
    return received[0]


def logs_for_meeting(app: Flask, meeting_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.meeting_id == meeting_id)
        )


def skip_not_recorded(app: Flask, meeting_id: int) -> bool:
    """Whether the server has not heard "not worth logging" for this meeting yet."""
    with app.app_context():
        return db.session.get(Meeting, meeting_id).log_skipped_at is None


def test_reminder_for_a_meeting_never_opened_logs_offline_from_a_cold_start(
    page: Any, context: Any, live_server: Any, push_service: PushService, app: Flask, console: Any
) -> None:
    console.allow(OFFLINE_NOISE)
    sub = subscribe_device(page, context, live_server.url, push_service)
    sign_up(page)
    reminders_any_hour(page)
    wait_for_service_worker(page)
    registered = api_call(page, "POST", "/api/push/subscriptions", {"endpoint": sub["endpoint"], "keys": sub["keys"]})
    assert registered["status"] in (200, 201), registered
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    start = end - timedelta(hours=1)
    assert upload_ics(page, calendar(event("lunch-1", "Lunch with Tom", start, end, TOM, "LOCATION:Café Nero")))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Lunch with Tom"]
    assert [a["contact_id"] for a in meeting["attendees"]] == [tom["id"]]

    payload = worker_pass(app, push_service)
    assert payload["url"] == f"/log?meeting={meeting['id']}"
    shown = deliver(context, page, live_server.url, payload)
    assert [n["title"] for n in shown] == [payload["title"]]
    assert shown[0]["actions"] == ["Log it", "Not worth logging"]
    assert shown[0]["data"]["url"] == f"/log?meeting={meeting['id']}"

    # No signal on the way out of lunch: the tap opens a fresh page on the reminder's address.
    context.set_offline(True)
    page.close()
    phone = context.new_page()
    phone.goto(shown[0]["data"]["url"])
    phone.get_by_role("heading", name="Log").wait_for()
    expect(phone.locator(".meeting-line")).to_contain_text("Lunch with Tom")
    expect(phone.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    expect(phone.get_by_label("In person")).to_be_checked()
    local_start = start.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")
    assert phone.locator("#log-when").input_value() == local_start
    shoot(phone, "log-offline-from-reminder")

    phone.get_by_role("group", name="I gave").get_by_text("Advice").click()
    phone.get_by_test_id("save-log").click()
    expect(phone.get_by_test_id("pending")).to_have_text("1 waiting to sync")
    phone.get_by_role("heading", name="Today").wait_for()
    assert logs_for_meeting(app, meeting["id"]) == 0

    context.set_offline(False)
    phone.evaluate("async () => (await navigator.serviceWorker.ready).active.postMessage({type: 'flush'})")
    expect(phone.get_by_test_id("pending")).to_have_count(0)
    expect(phone.locator("#banner")).to_be_hidden()
    assert logs_for_meeting(app, meeting["id"]) == 1
    after = api_call(phone, "GET", f"/api/meetings/{meeting['id']}")["body"]
    assert after["logged"] is True and after["needs_log"] is False
    logs = api_call(phone, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert [(entry["meeting_id"], entry["kind"]) for entry in logs] == [(meeting["id"], "in_person")]
    assert datetime.fromisoformat(logs[0]["occurred_at"]) == start
    assert phone.evaluate(REMINDER_CLOSED, meeting["id"]) is True


def test_today_shows_meetings_still_running_as_upcoming(page: Any) -> None:
    sign_up(page)
    reminders_any_hour(page)
    add_contact(page, "Tom Baker", "tom@example.com")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    running = event("call-1", "Call with Tom", now - timedelta(minutes=10), now + timedelta(minutes=50), TOM)
    ended = event("lunch-2", "Lunch with Tom", now - timedelta(hours=2), now - timedelta(hours=1), TOM)
    assert upload_ics(page, calendar(running, ended))["status"] == 202
    wait_for_calendars(page)
    page.goto("/")
    to_log = page.get_by_test_id("meetings")
    expect(to_log.get_by_role("link", name="Log Lunch with Tom")).to_be_visible()
    expect(to_log).not_to_contain_text("Call with Tom")
    upcoming = page.get_by_test_id("upcoming")
    expect(upcoming).to_contain_text("Call with Tom")
    expect(upcoming.get_by_text("Upcoming")).to_be_visible()
    expect(upcoming.get_by_role("link")).to_have_count(0)
    shoot(page, "today-upcoming")


def test_not_worth_logging_works_offline_and_closes_the_prompt(
    page: Any, context: Any, console: Any, app: Flask
) -> None:
    console.allow(OFFLINE_NOISE)
    sign_up(page)
    reminders_any_hour(page)
    add_contact(page, "Tom Baker", "tom@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    assert upload_ics(page, calendar(event("standup-1", "Stand-up", end - timedelta(minutes=15), end, TOM)))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Stand-up"]
    wait_for_service_worker(page)
    page.reload()
    expect(page.get_by_test_id("meetings")).to_contain_text("Stand-up")

    context.set_offline(True)
    page.get_by_role("button", name="Not worth logging: Stand-up").click()
    expect(page.get_by_test_id("pending")).to_have_text("1 waiting to sync")
    expect(page.get_by_test_id("meetings")).to_have_count(0)

    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_count(0)
    expect(page.locator("#banner")).to_be_hidden()
    after = api_call(page, "GET", f"/api/meetings/{meeting['id']}")["body"]
    assert after["needs_log"] is False and after["logged"] is False
    assert logs_for_meeting(app, meeting["id"]) == 0
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    expect(page.get_by_test_id("meetings")).to_have_count(0)


def test_log_from_a_person_never_opened_offline_uses_the_people_index(page: Any, context: Any, console: Any) -> None:
    console.allow(OFFLINE_NOISE)
    sign_up(page)
    reminders_any_hour(page)
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    add_contact(page, "Tamsin Roe", "tamsin@example.com")
    wait_for_service_worker(page)
    page.reload()  # an online start refreshes the people index kept on the phone
    page.get_by_role("heading", name="Today").wait_for()
    assert page.evaluate(KEPT_PEOPLE, 2) == ["Tamsin Roe", "Tom Baker"]

    context.set_offline(True)
    page.goto(f"/log?contact={tom['id']}")
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    page.get_by_label("Add a person").fill("tams")
    page.get_by_role("option").get_by_role("button", name="Tamsin Roe").click()
    expect(page.get_by_role("button", name="Remove Tamsin Roe")).to_be_visible()
    page.get_by_role("button", name="Remove Tamsin Roe").click()
    page.get_by_test_id("save-log").click()
    expect(page.get_by_test_id("pending")).to_have_text("1 waiting to sync")
    # Tom's card was never opened on this phone: say what is saved, not "Something went wrong".
    expect(page.get_by_test_id("not-kept")).to_contain_text("Your entry is saved on this phone")
    expect(page.get_by_role("link", name="Back to Today")).to_be_visible()
    shoot(page, "offline-not-kept")

    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_count(0)
    logs = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert [entry["contact_ids"] for entry in logs] == [[tom["id"]]]


def test_log_tapped_on_today_offline_is_prefilled_and_not_offered_twice(
    page: Any, context: Any, console: Any, app: Flask
) -> None:
    console.allow(OFFLINE_NOISE)
    sign_up(page)
    reminders_any_hour(page)
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=40)
    start = end - timedelta(minutes=45)
    assert upload_ics(page, calendar(event("zoom-1", "Catch-up with Tom", start, end, TOM,
                                           "LOCATION:https://us02web.zoom.us/j/123")))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Catch-up with Tom"]
    wait_for_service_worker(page)
    page.reload()  # Today as the phone last saw it, with the meeting
    expect(page.get_by_test_id("meetings")).to_contain_text("Catch-up with Tom")

    context.set_offline(True)
    page.reload()
    page.get_by_role("link", name="Log Catch-up with Tom").click()
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    expect(page.locator(".meeting-line")).to_contain_text("Catch-up with Tom")
    expect(page.get_by_label("Video")).to_be_checked()
    page.get_by_test_id("save-log").click()
    expect(page.get_by_test_id("pending")).to_have_text("1 waiting to sync")
    meetings = page.get_by_test_id("meetings")
    expect(meetings.get_by_text("Saved on this phone")).to_be_visible()
    expect(meetings.get_by_role("link", name="Log Catch-up with Tom")).to_have_count(0)

    context.set_offline(False)
    expect(page.get_by_test_id("pending")).to_have_count(0)
    assert logs_for_meeting(app, meeting["id"]) == 1
    logs = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert [(entry["meeting_id"], entry["kind"]) for entry in logs] == [(meeting["id"], "video")]
    assert datetime.fromisoformat(logs[0]["occurred_at"]) == start


def test_reminder_logged_on_another_device_closes_on_the_next_start(
    page: Any, context: Any, live_server: Any, push_service: PushService, app: Flask
) -> None:
    sub = subscribe_device(page, context, live_server.url, push_service)
    sign_up(page)
    reminders_any_hour(page)
    wait_for_service_worker(page)
    assert api_call(page, "POST", "/api/push/subscriptions", {"endpoint": sub["endpoint"], "keys": sub["keys"]})["status"] in (200, 201)
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    assert upload_ics(page, calendar(event("walk-1", "Walk with Tom", end - timedelta(minutes=30), end, TOM)))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Walk with Tom"]
    shown = deliver(context, page, live_server.url, worker_pass(app, push_service))
    assert [n["data"]["meeting"] for n in shown] == [str(meeting["id"])]

    # Logged from the laptop: this phone never saw the entry.
    entry = {"occurred_at": end.isoformat(), "kind": "in_person", "contact_ids": [tom["id"]],
             "meeting_id": meeting["id"], "gave": [], "received": []}
    assert api_call(page, "PUT", "/api/interactions/2f1e8c5a-3b7d-4c1e-9a2b-7d6e5f4c3b2a", entry)["status"] in (200, 201)
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    assert page.evaluate(REMINDER_CLOSED, meeting["id"]) is True


def test_not_worth_logging_from_the_notification_waits_offline_then_syncs(
    page: Any, context: Any, live_server: Any, push_service: PushService, app: Flask, console: Any
) -> None:
    console.allow(OFFLINE_NOISE)
    sub = subscribe_device(page, context, live_server.url, push_service)
    sign_up(page)
    reminders_any_hour(page)
    wait_for_service_worker(page)
    assert api_call(page, "POST", "/api/push/subscriptions", {"endpoint": sub["endpoint"], "keys": sub["keys"]})["status"] in (200, 201)
    add_contact(page, "Tom Baker", "tom@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
    assert upload_ics(page, calendar(event("drinks-1", "Drinks with Tom", end - timedelta(hours=1), end, TOM)))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Drinks with Tom"]
    assert deliver(context, page, live_server.url, worker_pass(app, push_service))[0]["actions"] == [
        "Log it", "Not worth logging"]

    # Headless Chromium cannot tap a notification's action button: run the worker's handler
    # for the "skip" action on the notification it showed, with no signal.
    context.set_offline(True)
    worker = context.service_workers[0]
    worker.evaluate("""async () => {
        const [n] = await self.registration.getNotifications();
        n.close();
        await skipMeeting(n.data.meeting, n.title);
    }""")
    assert worker.evaluate("async () => (await RapportOutbox.all()).map((r) => r.url)") == [f"/api/meetings/{meeting['id']}/skip"]
    assert skip_not_recorded(app, meeting["id"])

    context.set_offline(False)
    page.evaluate("async () => (await navigator.serviceWorker.ready).active.postMessage({type: 'flush'})")
    expect(page.get_by_test_id("pending")).to_have_count(0)
    after = api_call(page, "GET", f"/api/meetings/{meeting['id']}")["body"]
    assert after["needs_log"] is False and after["logged"] is False



def test_reminder_for_a_meeting_that_only_names_a_person_logs_offline_and_confirms_them(
    page: Any, context: Any, live_server: Any, push_service: PushService, app: Flask, console: Any
) -> None:
    """Outlook and iCloud publish no attendees: the title names the person, the reminder asks."""
    console.allow(OFFLINE_NOISE)
    sub = subscribe_device(page, context, live_server.url, push_service)
    sign_up(page)
    reminders_any_hour(page)
    wait_for_service_worker(page)
    assert api_call(page, "POST", "/api/push/subscriptions",
                    {"endpoint": sub["endpoint"], "keys": sub["keys"]})["status"] in (200, 201)
    raj = add_contact(page, "Raj Patel", "raj@example.com")
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=15)
    start = end - timedelta(hours=1)
    published = [  # what a published Outlook calendar carries: no ORGANIZER, no ATTENDEE
        "BEGIN:VEVENT", "UID:outlook-lunch-1", f"DTSTAMP:{start.strftime(STAMP)}",
        f"DTSTART:{start.strftime(STAMP)}", f"DTEND:{end.strftime(STAMP)}",
        "SUMMARY:Lunch with Raj Patel", "END:VEVENT",
    ]
    assert upload_ics(page, calendar(published))["status"] == 202
    wait_for_calendars(page)
    meeting = meetings_by_title(page)["Lunch with Raj Patel"]
    assert [(a["contact_id"], a["suggested_contact_id"]) for a in meeting["attendees"]] == [(None, raj["id"])]

    payload = worker_pass(app, push_service)
    assert payload["url"] == f"/log?meeting={meeting['id']}"
    assert "was it Raj?" in payload["body"] + payload["title"]
    shown = deliver(context, page, live_server.url, payload)
    assert [n["data"]["url"] for n in shown] == [payload["url"]]

    context.set_offline(True)
    page.close()
    phone = context.new_page()
    phone.goto(shown[0]["data"]["url"])
    phone.get_by_role("heading", name="Log").wait_for()
    expect(phone.locator(".meeting-line")).to_contain_text("Lunch with Raj Patel")
    expect(phone.get_by_role("button", name="Remove Raj Patel")).to_be_visible()
    shoot(phone, "log-offline-title-only-meeting")
    phone.get_by_test_id("save-log").click()
    expect(phone.get_by_test_id("pending")).to_have_text("1 waiting to sync")

    context.set_offline(False)
    phone.evaluate("async () => (await navigator.serviceWorker.ready).active.postMessage({type: 'flush'})")
    expect(phone.get_by_test_id("pending")).to_have_count(0)
    assert logs_for_meeting(app, meeting["id"]) == 1
    after = api_call(phone, "GET", f"/api/meetings/{meeting['id']}")["body"]
    assert after["logged"] is True and after["needs_log"] is False
    assert [a["contact_id"] for a in after["attendees"]] == [raj["id"]]  # the match is confirmed
    logs = api_call(phone, "GET", f"/api/interactions?contact_id={raj['id']}")["body"]["items"]
    assert [(entry["meeting_id"], entry["contact_ids"]) for entry in logs] == [(meeting["id"], [raj["id"]])]
    assert phone.evaluate(REMINDER_CLOSED, meeting["id"]) is True
