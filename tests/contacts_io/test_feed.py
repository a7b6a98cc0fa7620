"""The private outgoing calendar feed: its address, its secret, and what subscribers see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import recurring_ical_events
from icalendar import Calendar

from server.contacts_io.feed import Birthday, FeedItem, build_feed

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def _path(url: str) -> str:
    return urlsplit(url).path


def _events_between(ics: bytes, start: date, end: date) -> list:
    return recurring_ical_events.of(Calendar.from_ical(ics)).between(start, end)


def test_birthdays_repeat_yearly_as_all_day_events():
    ics = build_feed("Rapport", [Birthday(7, "Ada Lovelace", "1815-12-10")], [], NOW)
    [event] = _events_between(ics, date(2027, 1, 1), date(2028, 1, 1))
    assert str(event["SUMMARY"]) == "Ada Lovelace's birthday"
    assert event["DTSTART"].dt == date(2027, 12, 10)
    assert event["UID"] == "birthday-7@rapport"
    assert event["TRANSP"] == "TRANSPARENT"


def test_yearless_birthday_and_29_february_in_a_common_year():
    ics = build_feed("Rapport", [Birthday(1, "Tom", "--02-29"), Birthday(2, "Zoë", "--06-01")], [], NOW)
    events = _events_between(ics, date(2027, 1, 1), date(2028, 1, 1))
    assert sorted((str(e["SUMMARY"]), e["DTSTART"].dt) for e in events) == [
        ("Tom's birthday", date(2027, 2, 28)),
        ("Zoë's birthday", date(2027, 6, 1)),
    ]
    leap = _events_between(ics, date(2028, 2, 1), date(2028, 3, 2))
    assert [e["DTSTART"].dt for e in leap] == [date(2028, 2, 29)]


def test_items_are_one_day_events_with_stable_uids():
    item = FeedItem(uid="followup-3", on=date(2027, 2, 1), summary="Follow up with Tom")
    ics = build_feed("Rapport", [], [item], NOW)
    cal = Calendar.from_ical(ics)
    [event] = cal.walk("VEVENT")
    assert event["UID"] == "followup-3@rapport"
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2027, 2, 1), date(2027, 2, 2))
    assert cal["X-WR-CALNAME"] == "Rapport" and cal["METHOD"] == "PUBLISH"
    assert b"\r\n" in ics


def test_feed_address_is_stable_until_rotated(auth_client):
    first = auth_client.get("/api/calendar-feed").get_json()
    assert first["url"].endswith(".ics") and first["webcal_url"].startswith("webcal://")
    assert auth_client.get("/api/calendar-feed").get_json() == first
    rotated = auth_client.post("/api/calendar-feed/rotate").get_json()
    assert rotated["url"] != first["url"]
    anonymous = auth_client.application.test_client()
    assert anonymous.get(_path(first["url"])).status_code == 404
    assert anonymous.get(_path(rotated["url"])).status_code == 200


def test_feed_serves_birthdays_without_login(app, auth_client):
    auth_client.post("/api/contacts", json={"name": "Ada Lovelace", "birthday": "1815-12-10"})
    auth_client.post("/api/contacts", json={"name": "No Birthday"})
    url = auth_client.get("/api/calendar-feed").get_json()["url"]
    response = app.test_client().get(_path(url))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    birthdays = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("birthday-")]
    assert [str(e["SUMMARY"]) for e in birthdays] == ["Ada Lovelace's birthday"]


def test_unknown_or_disabled_secret_is_404(app, auth_client):
    anonymous = app.test_client()
    assert anonymous.get("/calendar/not-a-real-secret.ics").status_code == 404
    url = auth_client.get("/api/calendar-feed").get_json()["url"]
    assert auth_client.delete("/api/calendar-feed").status_code == 204
    assert anonymous.get(_path(url)).status_code == 404


def test_feeds_are_private(app, make_user, auth_client):
    from tests.conftest import login

    auth_client.post("/api/contacts", json={"name": "Ada Lovelace", "birthday": "1815-12-10"})
    other = make_user("other@example.com")
    other_client = app.test_client()
    login(other_client, other.email)
    url = other_client.get("/api/calendar-feed").get_json()["url"]
    assert b"Ada" not in app.test_client().get(_path(url)).data


def test_feed_address_needs_login(client):
    assert client.get("/api/calendar-feed").status_code == 401
