"""Writing plans into the outbox: insert by natural key, re-time or cancel pending rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from ..extensions import db
from ..models.base import upsert_insert
from ..models.push import Notification


@dataclass
class Planned:
    """One notification a planner wants in the outbox."""

    key: str
    user_id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    expires_at: datetime | None = None
    subject_id: int | None = None


def save_planned(items: list[Planned], now: datetime) -> int:
    """Insert new rows (conflicts ignored) and re-time pending ones; returns rows inserted.
    The caller commits, with the user's planning mark, so the plans and the mark that says
    they were made land together."""
    if not items:
        return 0
    existing = {
        row.key: row
        for row in db.session.scalars(
            select(Notification).where(Notification.key.in_([i.key for i in items]))
        )
    }
    fresh = [i for i in items if i.key not in existing]
    for item in items:
        row = existing.get(item.key)
        unchanged = row is None or (
            row.scheduled_for == item.due_at and row.payload == item.payload
        )
        if not unchanged and row.state == "pending" and row.attempts == 0:  # type: ignore[union-attr]
            _retime(row.id, item, now)  # type: ignore[union-attr]
    inserted = 0
    if fresh:
        insert = upsert_insert(db.session.get_bind().dialect.name)
        stmt = (
            insert(Notification.__table__)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Notification.__table__.c.id)
        )
        result = db.session.execute(
            stmt,
            [
                {
                    "user_id": i.user_id, "key": i.key, "kind": i.kind,
                    "subject_id": i.subject_id, "scheduled_for": i.due_at, "due_at": i.due_at,
                    "expires_at": i.expires_at, "state": "pending", "attempts": 0,
                    "payload": i.payload, "outcome": "", "created_at": now, "updated_at": now,
                }
                for i in fresh
            ],
        )
        inserted = len(result.all())
    return inserted


def _unleased(now: datetime) -> Any:
    return or_(Notification.lease_until.is_(None), Notification.lease_until < now)


def _retime(row_id: int, item: Planned, now: datetime) -> None:
    """Move a still-untouched pending row to its new plan (never one a worker holds)."""
    db.session.execute(
        update(Notification)
        .where(
            Notification.id == row_id,
            Notification.state == "pending",
            Notification.attempts == 0,
            _unleased(now),
        )
        .values(
            scheduled_for=item.due_at, due_at=item.due_at, expires_at=item.expires_at,
            payload=item.payload, updated_at=now,
        )
    )


def cancel_pending(ids: list[int], reason: str, now: datetime) -> int:
    """Cancel pending rows nobody holds; returns how many."""
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.state == "pending", _unleased(now))
        .values(state="cancelled", outcome=reason, updated_at=now)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
