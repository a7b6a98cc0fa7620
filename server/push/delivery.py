"""Delivery: claim due outbox rows under a lease, push to each device once, record outcomes.

The crash window: a worker that dies after a push service answered 201 and before it commits
that device's delivery row will, once its lease expires, have the message sent again to that
device by whichever worker claims the row next. Both copies carry the same `Topic` header and
notification `tag` (derived from the natural key), so the device replaces the first with the
second instead of showing two. Outside that window every (notification, device) is pushed at
most once: a device's delivery row is committed right after its push, and a worker records
anything only while it still holds the lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import delete, func, or_, select, text, type_coerce, update

from ..extensions import db
from ..models import User, UTCDateTime
from ..models.push import (
    Notification,
    NotificationDelivery,
    PushServiceBackoff,
    PushSubscription,
)
from ..reminders.registry import kind_for
from .payload import encode_payload, topic_for
from .sender import PostSession, PushResult, send_push
from .vapid import resolve_subject

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # far longer than one push (timeouts are seconds), renewed per device
CLAIM_BATCH = 20
MAX_ATTEMPTS = 8  # with backoff 1, 2, 4 … 64 minutes: about two hours of trying
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)

Clock = Callable[[], datetime]


@dataclass
class PushContext:
    """Everything delivery needs from configuration, passed explicitly."""

    vapid_private_pem: str
    subject: str
    base_url: str
    session: PostSession
    timeout: float | tuple[float, float] = (5.0, 10.0)


def push_context_from_app(app: Flask, session: PostSession | None = None) -> PushContext:
    """Build the delivery context from the app config (the one guarded HTTP session)."""
    admin = db.session.scalar(
        select(User.email).where(User.is_admin.is_(True)).order_by(User.id).limit(1)
    )
    return PushContext(
        vapid_private_pem=app.config["VAPID_PRIVATE_KEY"],
        subject=resolve_subject(app.config.get("VAPID_SUBJECT", ""), app.config["BASE_URL"], admin),
        base_url=app.config["BASE_URL"],
        session=session or _shared_session(app),
    )


def _shared_session(app: Flask) -> PostSession:
    """One guarded HTTP session per app, reused for every push (keeps connections alive)."""
    from ..outbound import guarded_session

    session: PostSession | None = app.extensions.get("rapport.push_session")
    if session is None:
        guarded = guarded_session(allow_private=bool(app.config["ALLOW_PRIVATE_URLS"]))
        session = cast(PostSession, guarded)
        app.extensions["rapport.push_session"] = session
    return session


def worker_id() -> str:
    """A lease owner name unique to this process run."""
    import os
    import platform

    return f"{platform.node()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def pass_clock(now: datetime) -> Clock:
    """`now` at the start of a pass, advancing with real elapsed time (leases stay honest)."""
    started = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - started)


# --- claiming -------------------------------------------------------------------------------


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


def hold_lease(notification_id: int, owner: str, now: datetime) -> bool:
    """Renew our lease if we still hold it (and lock the row for this transaction)."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.lease_owner == owner,
            Notification.lease_until > now,
            Notification.state == "pending",
        )
        .values(lease_until=now + LEASE, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(
    notification_id: int,
    owner: str,
    now: datetime,
    *,
    state: str = "pending",
    outcome: str = "",
    due_at: datetime | None = None,
    attempts: int | None = None,
) -> bool:
    """Write the outcome and release the lease — only if the lease is still ours."""
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
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.lease_owner == owner,
            Notification.lease_until > now,
        )
        .values(**values)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- sending to devices ---------------------------------------------------------------------


def push_host(endpoint: str) -> str:
    """The push service a device belongs to (backoff is per service, not per device)."""
    return (urlsplit(endpoint).netloc or "").lower()


def send_to_device(
    ctx: PushContext, sub: PushSubscription, key: str, kind: str, payload: dict[str, Any]
) -> PushResult:
    """Push one payload to one device."""
    return send_push(
        sub.subscription_info(),
        encode_payload(payload),
        vapid_private_pem=ctx.vapid_private_pem,
        subject=ctx.subject,
        session=ctx.session,
        topic=topic_for(key),
        ttl=kind_for(kind).ttl,
        urgency=kind_for(kind).urgency,
        timeout=ctx.timeout,
    )


def apply_device_result(sub: PushSubscription, result: PushResult, now: datetime) -> None:
    """Keep the device's health up to date; a gone device is deleted, not retried forever."""
    if result.outcome == "sent":
        sub.last_success_at = now
        sub.failure_count = 0
        sub.last_error = ""
        return
    if result.outcome == "gone":
        log.info("push subscription %s is gone (%s); removing it", sub.id, result.status)
        db.session.delete(sub)
        return
    sub.failure_count = (sub.failure_count or 0) + 1
    sub.last_failure_at = now
    sub.last_error = f"{result.status or 'no answer'} {result.detail}"[:300]
    if result.outcome == "rejected":
        # 400/401/403/413 mean our message or key is wrong: a bug to fix, not to retry.
        log.error("push service refused a message (%s): %s", result.status, result.detail)
    if result.outcome == "rate_limited":
        back_off_service(push_host(sub.endpoint), now, result.retry_after)


def back_off_service(host: str, now: datetime, retry_after: float | None) -> datetime:
    """Remember that a push service asked us to wait (Retry-After, else one minute)."""
    seconds = min(max(retry_after if retry_after is not None else 60.0, 1.0), 24 * 3600)
    until = now + timedelta(seconds=seconds)
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


# --- one notification -----------------------------------------------------------------------

Check = Callable[[Notification, datetime], "str | None"]


@dataclass
class DeliveryRules:
    """Planning-side rules delivery consults at send time (kept here as plain callables)."""

    still_wanted: Check = field(default=lambda n, now: None)  # reason to cancel, or None
    quiet_until: Callable[[Notification, datetime], datetime | None] = field(
        default=lambda n, now: None
    )
    # When no device took it: send by another channel; (state, outcome), or None.
    elsewhere: Callable[[Notification, datetime], tuple[str, str] | None] = field(
        default=lambda n, now: None
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def deliver_one(
    ctx: PushContext, notification_id: int, owner: str, clock: Clock, rules: DeliveryRules
) -> str:
    """Deliver one claimed row to every device still missing it; returns the row's new state."""
    now = clock()
    n = db.session.get(Notification, notification_id, populate_existing=True)
    if n is None or n.lease_owner != owner or n.state != "pending":
        db.session.rollback()
        return "lost"
    reason = rules.still_wanted(n, now)
    if reason:
        return _end(n, owner, clock, "cancelled", reason)
    if n.expires_at is not None and now >= n.expires_at:
        return _end(n, owner, clock, "skipped", "too old to be useful by the time it was due")
    quiet_end = rules.quiet_until(n, now)
    if quiet_end is not None:
        if n.expires_at is not None and quiet_end >= n.expires_at:
            return _end(n, owner, clock, "skipped", "it would be stale when quiet hours end")
        finish(n.id, owner, clock(), due_at=quiet_end, outcome="waiting for quiet hours to end")
        return "pending"
    done = set(
        db.session.scalars(
            select(NotificationDelivery.subscription_id).where(
                NotificationDelivery.notification_id == n.id
            )
        )
    )
    subs = [
        s
        for s in db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == n.user_id)
            .order_by(PushSubscription.id)
        )
        if s.id not in done
    ]
    if not subs and not done:
        moved = rules.elsewhere(n, now)
        if moved is not None:
            return _end(n, owner, clock, *moved)
        return _end(n, owner, clock, "skipped", "no device is registered for push")
    closed = backoffs(now)
    waiting: list[datetime] = []
    notes: list[str] = []
    for sub in subs:
        host = push_host(sub.endpoint)
        if host in closed:
            waiting.append(closed[host])
            continue
        if not hold_lease(n.id, owner, clock()):
            db.session.rollback()
            return "lost"
        db.session.commit()  # the renewed lease is durable before the slow network call
        sub_id, key, kind, payload = sub.id, n.key, n.kind, n.payload
        result = send_to_device(ctx, sub, key, kind, payload)
        at = clock()
        if not hold_lease(notification_id, owner, at):
            db.session.rollback()
            log.warning("lease on notification %s lost during a push", notification_id)
            return "lost"
        sub = db.session.get(PushSubscription, sub_id)  # type: ignore[assignment]
        if sub is None:  # the user removed the device meanwhile
            db.session.commit()
            continue
        if result.outcome in ("sent", "rejected"):
            db.session.add(
                NotificationDelivery(
                    notification_id=notification_id,
                    subscription_id=sub_id,
                    state="sent" if result.outcome == "sent" else "rejected",
                    status=result.status,
                    created_at=at,
                )
            )
        apply_device_result(sub, result, at)
        if result.outcome == "rate_limited":
            closed = backoffs(at) | {push_host(sub.endpoint): at + timedelta(
                seconds=result.retry_after or 60)}
            waiting.append(closed[push_host(sub.endpoint)])
        elif result.outcome == "retry":
            waiting.append(at)
        notes.append(f"device {sub_id}: {result.outcome} {result.status or ''}".strip())
        db.session.commit()
    if not waiting and not _reached_a_device(notification_id):  # every device refused or died
        moved = rules.elsewhere(n, clock())
        if moved is not None:
            return _end(n, owner, clock, moved[0], "; ".join([*notes, moved[1]]))
    return _settle(notification_id, owner, clock, waiting, notes)


def _reached_a_device(notification_id: int) -> bool:
    return bool(db.session.scalar(
        select(NotificationDelivery.id).where(
            NotificationDelivery.notification_id == notification_id,
            NotificationDelivery.state == "sent",
        ).limit(1)
    ))


def _end(n: Notification, owner: str, clock: Clock, state: str, outcome: str) -> str:
    nid = n.id
    db.session.rollback()
    return state if finish(nid, owner, clock(), state=state, outcome=outcome) else "lost"


def _settle(
    notification_id: int, owner: str, clock: Clock, waiting: list[datetime], notes: list[str]
) -> str:
    """After trying every device: sent, failed, or pending again with backoff."""
    now = clock()
    n = db.session.get(Notification, notification_id, populate_existing=True)
    if n is None:
        return "lost"
    sent = db.session.scalar(
        select(func.count()).select_from(NotificationDelivery).where(
            NotificationDelivery.notification_id == notification_id,
            NotificationDelivery.state == "sent",
        )
    ) or 0
    summary = "; ".join(notes)
    if waiting:
        attempts = (n.attempts or 0) + 1
        if attempts >= MAX_ATTEMPTS:
            state = "sent" if sent else "failed"
            done = finish(notification_id, owner, now, state=state, attempts=attempts,
                          outcome=f"gave up after {attempts} attempts; {summary}")
            return state if done else "lost"
        due = max(now + retry_delay(attempts), max(waiting))
        done = finish(notification_id, owner, now, attempts=attempts, due_at=due,
                      outcome=f"retrying; {summary}")
        return "pending" if done else "lost"
    state = "sent" if sent else "failed"
    if not summary:
        summary = "already delivered to every device"
    done = finish(notification_id, owner, now, state=state,
                  attempts=(n.attempts or 0) + 1, outcome=summary)
    return state if done else "lost"


# --- the loop's entry points ----------------------------------------------------------------


def deliver_due(
    ctx: PushContext,
    now: datetime,
    owner: str,
    rules: DeliveryRules | None = None,
    clock: Clock | None = None,
    max_batches: int = 50,
) -> dict[str, int]:
    """Claim and deliver everything due, batch by batch; returns counts by resulting state."""
    clock = clock or pass_clock(now)
    rules = rules or DeliveryRules()
    counts: dict[str, int] = {}
    for _ in range(max_batches):
        ids = claim_due(clock(), owner)
        if not ids:
            break
        for nid in ids:
            try:
                state = deliver_one(ctx, nid, owner, clock, rules)
            except Exception:
                log.exception("delivering notification %s failed", nid)
                db.session.rollback()
                state = "error"
            counts[state] = counts.get(state, 0) + 1
    return counts


def next_due_at() -> datetime | None:
    """When the earliest pending row falls due (or its lease runs out)."""
    due = db.session.scalar(
        select(
            type_coerce(
                func.min(func.coalesce(Notification.lease_until, Notification.due_at)),
                UTCDateTime(),
            )
        ).where(
            Notification.state == "pending"
        )
    )
    db.session.rollback()
    return due


def purge_old(now: datetime, keep: timedelta = timedelta(days=90)) -> int:
    """Forget finished rows older than `keep` (delivery rows go with them)."""
    result = db.session.execute(
        delete(Notification).where(
            Notification.state != "pending", Notification.updated_at < now - keep
        )
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
