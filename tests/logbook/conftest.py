"""Helpers for the give/take log tests: a log-entry body builder and a direct service caller."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event


def entry(contact_ids: list[int], **fields: Any) -> dict[str, Any]:
    """A PUT /api/interactions body with sensible defaults."""
    body: dict[str, Any] = {
        "occurred_at": "2025-03-10T12:30:00+00:00",
        "kind": "in_person",
        "contact_ids": contact_ids,
        "gave": [],
        "received": [],
    }
    body.update(fields)
    return body


def new_uuid() -> str:
    """A fresh client-side UUID."""
    return str(uuid.uuid4())


@pytest.fixture
def put_log(auth_client: Any) -> Any:
    """PUT a log entry as Maya; returns the response."""

    def put(contact_ids: list[int], key: str | None = None, **fields: Any) -> Any:
        return auth_client.put(f"/api/interactions/{key or new_uuid()}", json=entry(contact_ids, **fields))

    return put


@pytest.fixture
def make_meeting(app: Any) -> Any:
    """Factory: a meeting on an uploaded calendar of `owner`, with optional attendees."""
    from server.extensions import db
    from server.models.calendars import Calendar, Meeting, MeetingAttendee

    def factory(owner: Any, attendees: list[tuple[str, int | None]] = (), **fields: Any) -> int:
        with app.app_context():
            calendar = Calendar(user_id=owner.id, name="Work", source="upload")
            db.session.add(calendar)
            db.session.flush()
            fields.setdefault("title", "Lunch")
            fields.setdefault("uid", new_uuid())
            meeting = Meeting(user_id=owner.id, calendar_id=calendar.id, **fields)
            meeting.attendees = [
                MeetingAttendee(user_id=owner.id, position=n, email=email, name=email, contact_id=cid)
                for n, (email, cid) in enumerate(attendees)
            ]
            db.session.add(meeting)
            db.session.commit()
            return meeting.id

    return factory


@contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block."""
    from server.extensions import db

    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
