"""Small helpers shared by the delivery and planning tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.extensions import db
from server.models.push import Notification, NotificationDelivery
from server.push.outbox import Planned, save_planned
from server.push.payload import build_payload, tag_for


def plan(user_id: int, key: str, due: datetime, kind: str = "birthday",
         expires: datetime | None = None, now: datetime | None = None) -> int:
    """Put one row in the outbox the way a planner would (and commit it); returns rows inserted."""
    payload = build_payload(kind=kind, title=f"About {key}", body="Body", url="/",
                            tag=tag_for(key), base_url="https://rapport.example.org")
    item = Planned(key=key, user_id=user_id, kind=kind, due_at=due, payload=payload,
                   expires_at=expires if expires is not None else due + timedelta(days=1))
    inserted = save_planned([item], now or due)
    db.session.commit()
    return inserted


def row(key: str) -> Notification:
    """The outbox row for a key, read fresh."""
    db.session.expire_all()
    return db.session.scalar(select(Notification).where(Notification.key == key))


def deliveries(key: str) -> list[Any]:
    """Delivery rows for a key."""
    n = row(key)
    return list(db.session.scalars(
        select(NotificationDelivery).where(NotificationDelivery.notification_id == n.id)))


def fixed(now: datetime):
    """A clock that stays at `now`."""
    return lambda: now
