"""Leases on outbox rows: claim a few due rows, renew them while sends run, settle them.

A lease is short (`LEASE`) and renewed every `RENEW_EVERY` while its holder is still working,
so when a worker dies its rows are free again within one lease, not after minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, text, update

from ..extensions import db
from ..models.push import Notification

LEASE = timedelta(seconds=20)
RENEW_EVERY = LEASE / 4  # three renewals can fail in a row before the lease runs out
CLAIM_BATCH = 500  # rows per claim: a quarter of a second of sends, so work still spreads


def _due_filter(now: datetime) -> Any:
    return (
        (Notification.state == "pending")
        & (Notification.due_at <= now)
        & or_(Notification.lease_until.is_(None), Notification.lease_until < now)
    )


def claim_due(now: datetime, owner: str, limit: int = CLAIM_BATCH) -> list[int]:
    """Take a lease on up to `limit` due rows no live lease holds; returns their ids."""
    db.session.commit()  # start from a clean transaction: SQLite's BEGIN IMMEDIATE needs it
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        # Take the write lock up front so two workers never read the same free rows.
        db.session.execute(text("BEGIN IMMEDIATE"))
    stmt = (
        select(Notification.id)
        .where(_due_filter(now))
        .order_by(Notification.due_at, Notification.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(stmt))
    if ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(lease_owner=owner, lease_until=now + LEASE, updated_at=now)
        )
    db.session.commit()
    return ids


def renew(ids: Iterable[int], owner: str, now: datetime) -> set[int]:
    """Extend our live leases on `ids` (locking those rows); returns the ids still ours."""
    wanted = list(ids)
    if not wanted:
        return set()
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(wanted),
            Notification.lease_owner == owner,
            Notification.lease_until > now,
            Notification.state == "pending",
        )
        .values(lease_until=now + LEASE, updated_at=now)
        .returning(Notification.id)
    )
    return set(result.scalars())


def outcome_values(
    now: datetime,
    *,
    state: str = "pending",
    outcome: str = "",
    due_at: datetime | None = None,
    attempts: int | None = None,
) -> dict[str, Any]:
    """The columns a settled row gets: its state and outcome, with the lease released."""
    values: dict[str, Any] = {
        "state": state,
        "outcome": outcome[:1000],
        "lease_owner": None,
        "lease_until": None,
        "updated_at": now,
    }
    if due_at is not None:
        values["due_at"] = due_at
    if attempts is not None:
        values["attempts"] = attempts
    if state == "sent":
        values["sent_at"] = now
    return values


def finish(notification_id: int, owner: str, now: datetime, **outcome: Any) -> bool:
    """Write the outcome and release the lease — only if the lease is still ours."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.lease_owner == owner,
            Notification.lease_until > now,
        )
        .values(**outcome_values(now, **outcome))
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_many(settled: dict[int, dict[str, Any]], owner: str, now: datetime) -> None:
    """Write many outcomes (rows whose lease we hold, not committed): one UPDATE … WHERE id IN
    per set of identical values (most rows of a batch end alike), one executemany for the rest."""
    alike: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for nid, values in settled.items():
        alike.setdefault(tuple(sorted(values.items())), []).append(nid)
    table = cast(Table, Notification.__table__)
    held = (table.c.lease_owner == owner, table.c.lease_until > now)
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for items, ids in alike.items():
        if len(ids) > 1:
            db.session.execute(update(table).where(table.c.id.in_(ids), *held).values(dict(items)))
            continue
        shapes.setdefault(tuple(k for k, _ in items), []).append(
            {"b_id": ids[0], **{f"b_{k}": v for k, v in items}})
    for columns, rows in shapes.items():
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), *held)
            .values({c: bindparam(f"b_{c}") for c in columns}),
            rows,
        )
