"""Calendars and meetings through the API and the worker's sync, against a real feed server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.calendars.scheduler import sync_due_calendars
from server.extensions import db
from server.models import ContactEmail
from server.models.calendars import Calendar, Meeting

from .feedserver import FeedServer, Route
from .icsbuild import vcalendar, vevent

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def lunch(uid: str = "lunch-1", hours_from_now: float = -3, **props: str) -> str:
    start = NOW + timedelta(hours=hours_from_now)
    props.setdefault("organizer", ";CN=Maya:mailto:maya@example.com")
    props.setdefault("attendee", ";CN=Tom Baker;PARTSTAT=ACCEPTED:mailto:Tom@Baker.example")
    return vevent(uid, dtstart=ics_time(start), dtend=ics_time(start + timedelta(hours=1)), **props)


def add_feed(client: Any, server: FeedServer, body: bytes, path: str = "/cal.ics") -> int:
    server.routes[path] = Route(body=body)
    response = client.post("/api/calendars", json={"name": "Work", "url": server.url(path)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def run_worker(app: Flask, now: datetime | None = None) -> int:
    with app.app_context():
        return sync_due_calendars(now or datetime.now(UTC), app)


def meetings(client: Any, **params: str) -> list[dict[str, Any]]:
    query = {"from": (NOW - timedelta(days=3)).isoformat(), "to": (NOW + timedelta(days=15)).isoformat()}
    query.update(params)
    response = client.get("/api/meetings", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def make_due(app: Flask, calendar_id: int) -> None:
    with app.app_context():
        calendar = db.session.get(Calendar, calendar_id)
        calendar.next_sync_at = datetime.now(UTC)
        db.session.commit()


def test_feed_url_is_stored_encrypted_and_shown_masked(app: Flask, auth_client: Any,
                                                        feed_server: FeedServer) -> None:
    calendar_id = add_feed(auth_client, feed_server, vcalendar(lunch()), "/secret-token-123/basic.ics")
    shown = auth_client.get("/api/calendars").get_json()[0]
    assert "secret-token-123" not in str(shown)
    assert shown["url"] == f"http://127.0.0.1:{feed_server.port}/…"
    with app.app_context():
        stored = db.session.get(Calendar, calendar_id)
        assert "secret-token-123" not in (stored.url_encrypted or "")
    assert feed_server.requests == []  # no fetch inside the web request


def test_worker_sync_stores_meetings_and_links_by_email(app: Flask, auth_client: Any, user: Any,
                                                        make_contact: Any,
                                                        feed_server: FeedServer) -> None:
    tom = make_contact(user, name="Tom Baker", emails=["tom@baker.example"])
    add_feed(auth_client, feed_server, vcalendar(lunch()))
    assert run_worker(app) == 1
    (meeting,) = meetings(auth_client)
    assert meeting["title"] == "Lunch with Tom Baker"
    assert [(a["email"], a["contact_id"]) for a in meeting["attendees"]] == [
        ("tom@baker.example", tom.id)
    ]  # Maya (organizer, account address) is "me", not an attendee
    assert meeting["needs_log"] is True and meeting["logged"] is False
    calendar = auth_client.get("/api/calendars").get_json()[0]
    assert calendar["meeting_count"] == 1 and calendar["last_error"] is None
    assert calendar["last_synced_at"] is not None


def test_resync_uses_conditional_get_and_keeps_meetings(app: Flask, auth_client: Any,
                                                        feed_server: FeedServer) -> None:
    calendar_id = add_feed(auth_client, feed_server, vcalendar(lunch()))
    run_worker(app)
    first = meetings(auth_client)
    make_due(app, calendar_id)
    run_worker(app)
    assert "if-none-match" in feed_server.requests[-1][1]
    assert meetings(auth_client) == first


def test_moved_meeting_updates_the_same_row_and_cancelled_is_marked(
    app: Flask, auth_client: Any, feed_server: FeedServer
) -> None:
    calendar_id = add_feed(auth_client, feed_server,
                           vcalendar(lunch("a", 24), lunch("b", 30)))
    run_worker(app)
    before = sorted(meetings(auth_client), key=lambda m: m["start"])
    a_id = before[0]["id"]
    feed_server.routes["/cal.ics"] = Route(
        body=vcalendar(lunch("a", 48), lunch("b", 30, status="CANCELLED"))
    )
    make_due(app, calendar_id)
    run_worker(app)
    after = meetings(auth_client)
    assert len(after) == 1
    assert after[0]["id"] == a_id  # moved: same row, new time
    with app.app_context():
        rows = list(db.session.scalars(select(Meeting).order_by(Meeting.uid)))
        assert [(r.uid, r.status) for r in rows] == [("a", "confirmed"), ("b", "cancelled")]
        assert rows[0].start_at == NOW + timedelta(hours=48)
    assert len(meetings(auth_client, include_cancelled="true")) == 2


def test_broken_feed_records_error_and_keeps_meetings(app: Flask, auth_client: Any,
                                                      feed_server: FeedServer) -> None:
    calendar_id = add_feed(auth_client, feed_server, vcalendar(lunch()))
    run_worker(app)
    feed_server.routes["/cal.ics"] = Route(body=b"<html>Please sign in</html>")
    make_due(app, calendar_id)
    run_worker(app, NOW + timedelta(hours=7))
    calendar = auth_client.get(f"/api/calendars/{calendar_id}").get_json()
    assert calendar["problem"] == "needs_secret"  # a sign-in page: the link is not the secret one
    assert "secret address" in calendar["last_error"]
    assert len(meetings(auth_client)) == 1


def test_http_error_is_reported_in_plain_words(app: Flask, auth_client: Any,
                                               feed_server: FeedServer) -> None:
    feed_server.routes["/gone.ics"] = Route(status=404, body=b"")
    response = auth_client.post("/api/calendars", json={"url": feed_server.url("/gone.ics")})
    run_worker(app)
    calendar = auth_client.get(f"/api/calendars/{response.get_json()['id']}").get_json()
    assert calendar["problem"] == "not_found"
    assert "does not know this address" in calendar["last_error"]


def test_private_url_refused_when_switch_off(database_url: str, tmp_path: Path, user: Any,
                                             feed_server: FeedServer) -> None:
    from tests.conftest import login, make_app

    strict = make_app(database_url, tmp_path / "strict", RAPPORT_ALLOW_PRIVATE_URLS="0")
    client = strict.test_client()
    login(client, user.email)
    for url in (feed_server.url("/cal.ics"), "https://127.0.0.1/x.ics", "https://2130706433/",
                "file:///etc/passwd", "https://169.254.169.254/latest/meta-data/"):
        response = client.post("/api/calendars", json={"url": url})
        assert response.status_code == 422, url
    assert client.get("/api/calendars").get_json() == []


def test_webcal_is_accepted(auth_client: Any) -> None:
    response = auth_client.post("/api/calendars", json={"url": "webcal://p01-caldav.icloud.com/published/2/abc"})
    assert response.status_code == 201
    assert response.get_json()["url"] == "https://p01-caldav.icloud.com/…"


def test_upload_is_stored_for_the_worker_and_read_there(app: Flask, auth_client: Any) -> None:
    from io import BytesIO

    response = auth_client.post(
        "/api/calendars/upload",
        data={"file": (BytesIO(vcalendar(lunch())), "work.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    shown = response.get_json()
    assert (shown["name"], shown["state"], shown["meeting_count"]) == ("work", "queued", 0)
    assert meetings(auth_client) == []  # nothing parsed inside the request
    assert run_worker(app) == 1
    calendar = auth_client.get(f"/api/calendars/{shown['id']}").get_json()
    assert (calendar["state"], calendar["meeting_count"], calendar["problem"]) == ("idle", 1, None)
    assert len(meetings(auth_client)) == 1


def test_upload_broken_file_is_refused_and_nothing_stored(auth_client: Any) -> None:
    from io import BytesIO

    response = auth_client.post(
        "/api/calendars/upload",
        data={"file": (BytesIO(b"BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n"), "x.ics")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "does not give a calendar" in response.get_json()["message"]
    assert auth_client.get("/api/calendars").get_json() == []


def test_upload_without_file_is_a_clear_error(auth_client: Any) -> None:
    response = auth_client.post("/api/calendars/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_sync_now_marks_due_rename_and_delete(app: Flask, auth_client: Any,
                                              feed_server: FeedServer) -> None:
    calendar_id = add_feed(auth_client, feed_server, vcalendar(lunch()))
    run_worker(app)
    response = auth_client.post(f"/api/calendars/{calendar_id}/sync")
    assert response.status_code == 202
    assert response.get_json()["state"] == "queued"
    again = auth_client.post(f"/api/calendars/{calendar_id}/sync")
    assert again.status_code == 429  # one calendar rests a minute between syncs on request
    assert "try again in" in again.get_json()["message"]
    assert auth_client.patch(f"/api/calendars/{calendar_id}", json={"name": "Home"}).get_json()["name"] == "Home"
    assert auth_client.delete(f"/api/calendars/{calendar_id}").status_code == 204
    assert meetings(auth_client) == []


def test_other_users_calendars_and_meetings_are_404(app: Flask, auth_client: Any, make_user: Any,
                                                    feed_server: FeedServer) -> None:
    from tests.conftest import login

    calendar_id = add_feed(auth_client, feed_server, vcalendar(lunch()))
    run_worker(app)
    meeting_id = meetings(auth_client)[0]["id"]
    other = make_user("eve@example.com")
    intruder = app.test_client()
    login(intruder, other.email)
    assert intruder.get(f"/api/calendars/{calendar_id}").status_code == 404
    assert intruder.delete(f"/api/calendars/{calendar_id}").status_code == 404
    assert intruder.post(f"/api/calendars/{calendar_id}/sync").status_code == 404
    assert intruder.get(f"/api/meetings/{meeting_id}").status_code == 404
    assert intruder.get("/api/meetings").get_json()["items"] == []


def test_name_match_is_a_suggestion_and_confirming_teaches_the_address(
    app: Flask, auth_client: Any, user: Any, make_contact: Any, feed_server: FeedServer
) -> None:
    tom = make_contact(user, name="Tom Baker")
    add_feed(auth_client, feed_server, vcalendar(
        lunch("a", -3, attendee=";CN=\"Baker, Tom\":mailto:tb@newjob.example"),
    ))
    run_worker(app)
    (meeting,) = meetings(auth_client)
    (attendee,) = meeting["attendees"]
    assert attendee["contact_id"] is None and attendee["suggested_contact_id"] == tom.id
    response = auth_client.post(
        f"/api/meetings/{meeting['id']}/attendees/{attendee['id']}/confirm", json={}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["attendees"][0]["contact_id"] == tom.id
    with app.app_context():
        emails = set(db.session.scalars(select(ContactEmail.email).where(ContactEmail.contact_id == tom.id)))
    assert emails == {"tb@newjob.example"}


def test_create_contact_from_attendee_prefills_name_and_email(
    app: Flask, auth_client: Any, feed_server: FeedServer
) -> None:
    add_feed(auth_client, feed_server, vcalendar(
        lunch("a", -3, attendee=";CN=\"Doe, Jane\":mailto:jane@doe.example")))
    run_worker(app)
    (meeting,) = meetings(auth_client)
    attendee = meeting["attendees"][0]
    response = auth_client.post(
        f"/api/meetings/{meeting['id']}/attendees/{attendee['id']}/contact", json={}
    )
    assert response.status_code == 201, response.get_json()
    contact_id = response.get_json()["attendees"][0]["contact_id"]
    contact = auth_client.get(f"/api/contacts/{contact_id}").get_json()
    assert contact["name"] == "Jane Doe" and contact["emails"] == ["jane@doe.example"]


def test_title_names_suggest_contacts_for_feeds_without_attendees(
    app: Flask, auth_client: Any, user: Any, make_contact: Any, feed_server: FeedServer
) -> None:
    tom = make_contact(user, name="Tom Baker")
    start = NOW - timedelta(hours=3)
    event = vevent("o", summary="Lunch with Tom Baker", dtstart=ics_time(start),
                   dtend=ics_time(start + timedelta(hours=1)))
    add_feed(auth_client, feed_server, vcalendar(event))
    run_worker(app)
    (meeting,) = meetings(auth_client)
    assert meeting["has_others"] is False and meeting["needs_log"] is False
    (suggestion,) = meeting["attendees"]
    assert suggestion["from_title"] is True and suggestion["suggested_contact_id"] == tom.id
    confirmed = auth_client.post(
        f"/api/meetings/{meeting['id']}/attendees/{suggestion['id']}/confirm", json={}
    ).get_json()
    assert confirmed["has_others"] is True and confirmed["needs_log"] is True


def test_declined_meetings_and_solo_meetings_do_not_need_a_log(
    app: Flask, auth_client: Any, feed_server: FeedServer
) -> None:
    declined = lunch("d", -5, organizer=";CN=Tom:mailto:tom@baker.example",
                     attendee=";PARTSTAT=DECLINED:mailto:maya@example.com")
    solo = lunch("s", -4, attendee=";CN=Room;CUTYPE=ROOM:mailto:room@example.com")
    future = lunch("f", 5)
    add_feed(auth_client, feed_server, vcalendar(declined, solo, future))
    run_worker(app)
    by_uid = {m["start"]: m for m in meetings(auth_client)}
    assert sum(m["needs_log"] for m in by_uid.values()) == 0
    assert meetings(auth_client, unlogged="true") == []
    declined_row = [m for m in meetings(auth_client) if m["my_response"] == "DECLINED"]
    assert len(declined_row) == 1


def test_extra_addresses_in_settings_count_as_me(app: Flask, auth_client: Any,
                                                 feed_server: FeedServer) -> None:
    auth_client.patch("/api/settings", json={"my_emails": ["maya@work.example"]})
    event = lunch("x", -3, organizer="mailto:maya@work.example",
                  attendee=";CN=Tom:mailto:tom@baker.example")
    add_feed(auth_client, feed_server, vcalendar(event))
    run_worker(app)
    (meeting,) = meetings(auth_client)
    assert [a["email"] for a in meeting["attendees"]] == ["tom@baker.example"]


def test_bad_meeting_query_is_a_clear_error(auth_client: Any) -> None:
    response = auth_client.get("/api/meetings", query_string={"from": "yesterday"})
    assert response.status_code == 422
    response = auth_client.get("/api/meetings", query_string={
        "from": "2026-05-02T00:00:00Z", "to": "2026-05-01T00:00:00Z"})
    assert response.status_code == 422


@pytest.mark.parametrize("body", [{}, {"url": ""}, {"url": 5}, {"url": "x", "extra": 1}])
def test_bad_calendar_body_writes_nothing(auth_client: Any, body: dict[str, Any]) -> None:
    assert auth_client.post("/api/calendars", json=body).status_code == 422
    assert auth_client.get("/api/calendars").get_json() == []
