"""Small key/value state the processes share: worker heartbeat, last pass figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from .base import Base, UTCDateTime, upsert_insert, utcnow


class SystemState(Base):
    """One named value, e.g. `worker.heartbeat`."""

    __tablename__ = "system_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def put_state(session: Session | scoped_session[Any], key: str, value: dict[str, Any], now: datetime) -> None:
    """Write one value in a single statement, whichever process writes it first."""
    table = SystemState.__table__
    stmt = upsert_insert(session.get_bind().dialect.name)(table).values(
        key=key, value=value, updated_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "updated_at": now}
        )
    )


def claim_state(session: Session | scoped_session[Any], key: str, now: datetime, every: timedelta) -> bool:
    """Claim a periodic job: true for exactly one caller per `every`, however many race.

    The mark is written in the caller's transaction, so a job that fails and rolls back
    leaves it unclaimed for the next pass.
    """
    table = SystemState.__table__
    stmt = upsert_insert(session.get_bind().dialect.name)(table).values(
        key=key, value={}, updated_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"updated_at": now},
        where=table.c.updated_at <= now - every,
    ).returning(table.c.key)
    return session.execute(stmt).first() is not None
