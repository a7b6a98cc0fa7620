""""Not worth logging": a meeting's prompt closes for good, idempotently, for its owner only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models.calendars import Calendar, Meeting, MeetingAttendee
from server.models.push import Notification
from server.reminders.planning import plan_for_user
from tests.conftest import login

NOW = datetime.now(UTC).replace(microsecond=0)


def ended_meeting(app: Flask, user: Any, title: str = "Lunch with Tom Baker") -> int:
    with app.app_context():
        cal = Calendar(user_id=user.id, name="Work", source="upload")
        db.session.add(cal)
        db.session.flush()
        start = NOW - timedelta(minutes=62)
        meeting = Meeting(user_id=user.id, calendar_id=cal.id, uid=f"uid-{title}", title=title,
                          start_at=start, end_at=start + timedelta(hours=1), has_others=True)
        meeting.attendees.append(MeetingAttendee(user_id=user.id, email="tom@example.com", name="Tom Baker"))
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def prompt_state(app: Flask, meeting_id: int) -> str:
    with app.app_context():
        return db.session.scalar(select(Notification.state).where(Notification.key == f"meeting:{meeting_id}"))


def test_skipping_closes_the_prompt_and_today_stops_asking(app: Flask, auth_client: Any, user: Any) -> None:
    meeting_id = ended_meeting(app, user)
    with app.app_context():
        plan_for_user(user.id, NOW - timedelta(minutes=5), "https://rapport.example")
    assert prompt_state(app, meeting_id) == "pending"
    assert [m["id"] for m in auth_client.get("/api/today").get_json()["meetings_to_log"]["items"]] == [meeting_id]

    first = auth_client.put(f"/api/meetings/{meeting_id}/skip", json={})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["needs_log"] is False
    assert prompt_state(app, meeting_id) == "cancelled"
    assert auth_client.get("/api/today").get_json()["meetings_to_log"]["items"] == []
    unlogged = auth_client.get("/api/meetings", query_string={"unlogged": "true"}).get_json()["items"]
    assert unlogged == []

    with app.app_context():
        skipped_at = db.session.get(Meeting, meeting_id).log_skipped_at
        plan_for_user(user.id, NOW, "https://rapport.example")
    again = auth_client.put(f"/api/meetings/{meeting_id}/skip", json={})
    assert again.status_code == 200 and again.get_json()["needs_log"] is False
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).log_skipped_at == skipped_at
    assert prompt_state(app, meeting_id) == "cancelled"


def test_another_users_meeting_answers_404_and_is_untouched(app: Flask, make_user: Any, user: Any) -> None:
    meeting_id = ended_meeting(app, user)
    make_user("eve@example.com")
    eve = app.test_client()
    login(eve, "eve@example.com")
    assert eve.put(f"/api/meetings/{meeting_id}/skip", json={}).status_code == 404
    assert eve.put("/api/meetings/999999/skip", json={}).status_code == 404
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).log_skipped_at is None


def test_skipping_needs_a_session(app: Flask, user: Any) -> None:
    meeting_id = ended_meeting(app, user)
    assert app.test_client().put(f"/api/meetings/{meeting_id}/skip", json={}).status_code == 401
