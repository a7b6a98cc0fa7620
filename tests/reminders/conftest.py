"""Fixtures for the nudge kinds: the decrypting push service and a meeting factory."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models.calendars import Calendar, Meeting, MeetingAttendee
from tests.push.conftest import add_device, push_ctx, push_service  # noqa: F401

BASE = "https://rapport.example.org"


@pytest.fixture
def meeting(app: Flask) -> Any:
    """Factory: a meeting of `owner` with attendees given as (email, name, contact id)."""

    def factory(owner: Any, start: datetime, title: str = "Coffee with Priya",
                people: list[tuple[str | None, str, int | None]] = (), minutes: int = 30,
                **fields: Any) -> int:
        with app.app_context():
            cal = db.session.scalar(select(Calendar).where(Calendar.user_id == owner.id))
            if cal is None:
                cal = Calendar(user_id=owner.id, name="Work", source="upload")
                db.session.add(cal)
                db.session.flush()
            row = Meeting(user_id=owner.id, calendar_id=cal.id, uid=f"{title}-{start}",
                          title=title, start_at=start, end_at=start + timedelta(minutes=minutes),
                          has_others=bool(people), **fields)
            row.attendees = [
                MeetingAttendee(user_id=owner.id, position=n, email=email, name=name,
                                contact_id=cid)
                for n, (email, name, cid) in enumerate(people)
            ]
            db.session.add(row)
            db.session.commit()
            return row.id

    return factory
