"""Devices as delivery sees them: one snapshot per subscription, their health, push backoffs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, delete, select, update

from ..extensions import db
from ..models.push import PushServiceBackoff, PushSubscription
from .dispatch import backoff_for
from .sender import PushResult

log = logging.getLogger(__name__)


def push_host(endpoint: str) -> str:
    """The push service a device belongs to (backoff is per service, not per device)."""
    return (urlsplit(endpoint).netloc or "").lower()


@dataclass(frozen=True)
class Device:
    """What a send needs of a subscription, read once so no thread touches the ORM."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str

    @property
    def host(self) -> str:
        """The push service of this device."""
        return push_host(self.endpoint)

    def info(self) -> dict[str, Any]:
        """The browser's PushSubscription.toJSON shape."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def devices_of(user_ids: Iterable[int]) -> dict[int, list[Device]]:
    """Every device of these users, oldest first, in one query."""
    wanted = sorted(set(user_ids))
    found: dict[int, list[Device]] = {}
    if not wanted:
        return found
    t = PushSubscription
    rows = db.session.execute(
        select(t.id, t.user_id, t.endpoint, t.p256dh, t.auth)
        .where(t.user_id.in_(wanted))
        .order_by(t.id)
    )
    for row in rows:
        found.setdefault(row.user_id, []).append(Device(*row))
    return found


@dataclass(frozen=True)
class DeviceResult:
    """One push's answer for one device, and when it came."""

    subscription_id: int
    host: str
    result: PushResult
    at: datetime


def record_device_results(results: list[DeviceResult]) -> None:
    """Keep devices' health current (in the caller's transaction): a gone device is deleted."""
    sent = [r.subscription_id for r in results if r.result.outcome == "sent"]
    gone = [r.subscription_id for r in results if r.result.outcome == "gone"]
    failed = [r for r in results if r.result.outcome not in ("sent", "gone")]
    table = cast(Table, PushSubscription.__table__)
    if sent:
        at = max(r.at for r in results)
        db.session.execute(
            update(table).where(table.c.id.in_(sent))
            .values(last_success_at=at, failure_count=0, last_error="")
        )
    if gone:
        log.info("push subscriptions %s are gone; removing them", gone)
        db.session.execute(delete(table).where(table.c.id.in_(gone)))
    if failed:
        db.session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(
                failure_count=table.c.failure_count + 1,
                last_failure_at=bindparam("b_at"),
                last_error=bindparam("b_error"),
            ),
            [
                {"b_id": r.subscription_id, "b_at": r.at,
                 "b_error": f"{r.result.status or 'no answer'} {r.result.detail}"[:300]}
                for r in failed
            ],
        )
    for r in failed:
        if r.result.outcome == "rejected":
            # 400/401/403/413 mean our message or key is wrong: a bug to fix, not to retry.
            log.error("push service refused a message (%s): %s", r.result.status, r.result.detail)
        elif r.result.outcome == "rate_limited":
            back_off_service(r.host, r.at, r.result.retry_after)


def back_off_service(host: str, now: datetime, retry_after: float | None) -> datetime:
    """Remember that a push service asked us to wait (Retry-After, else one minute)."""
    until = now + backoff_for(retry_after)
    row = db.session.get(PushServiceBackoff, host)
    if row is None:
        db.session.add(PushServiceBackoff(host=host, until=until, updated_at=now))
    elif row.until < until:
        row.until, row.updated_at = until, now
    return until


def backoffs(now: datetime) -> dict[str, datetime]:
    """Push services we must not contact yet, with the time they reopen."""
    rows = db.session.scalars(select(PushServiceBackoff).where(PushServiceBackoff.until > now))
    return {row.host: row.until for row in rows}
