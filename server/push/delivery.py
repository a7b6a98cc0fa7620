"""Delivery: claim due outbox rows under a short lease, push to each device once, record outcomes.

A batch of claimed rows goes through three steps: the send-time rules (still wanted, expired,
quiet hours) settle what must not go out; every device still missing a row is pushed
concurrently (`dispatch`: a bounded pool per push service, leases renewed while sends run); the
answers are written in one transaction — device rows, device health, outcomes — and only for
rows whose lease is still ours.

The crash window: a worker that dies after a push service answered 201 and before it commits its
batch will, once its lease expires, have the message sent again to that device by whichever
worker claims the row next. Both copies carry the same `Topic` header and notification `tag`
(derived from the natural key), so the device replaces the first with the second instead of
showing two. Outside that window every (notification, device) is pushed at most once: devices
that already have a row are skipped, and a worker records anything only while it holds the lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from flask import Flask
from sqlalchemy import delete, func, select, type_coerce

from ..extensions import db
from ..models import User, UTCDateTime
from ..models.push import Notification
from .batch import MAX_ATTEMPTS, Batch, deliver_batch, prepare_batch
from .dispatch import Dispatched
from .lease import CLAIM_BATCH, LEASE, claim_due, finish
from .outgoing import Clock, DeliveryRules, PushContext, send_to_device
from .sender import Poster
from .vapid import resolve_subject

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["CLAIM_BATCH", "LEASE", "MAX_ATTEMPTS", "DeliveryRules", "PushContext", "claim_due",
           "deliver_batch", "finish", "send_to_device"]


def push_context_from_app(app: Flask, session: Poster | None = None) -> PushContext:
    """Build the delivery context from the app config (the one guarded poster)."""
    admin = db.session.scalar(
        select(User.email).where(User.is_admin.is_(True)).order_by(User.id).limit(1)
    )
    return PushContext(
        vapid_private_pem=app.config["VAPID_PRIVATE_KEY"],
        subject=resolve_subject(app.config.get("VAPID_SUBJECT", ""), app.config["BASE_URL"], admin),
        base_url=app.config["BASE_URL"],
        session=session or _shared_session(app),
    )


def _shared_session(app: Flask) -> Poster:
    """One guarded poster per app, reused for every push (keeps connections alive)."""
    from ..outbound import guarded_poster

    session: Poster | None = app.extensions.get("rapport.push_session")
    if session is None:
        session = guarded_poster(allow_private=bool(app.config["ALLOW_PRIVATE_URLS"]))
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


# --- the loop's entry points ----------------------------------------------------------------


def deliver_one(
    ctx: PushContext, notification_id: int, owner: str, clock: Clock, rules: DeliveryRules
) -> str:
    """Deliver one claimed row to every device still missing it; returns the row's new state."""
    return deliver_batch(ctx, [notification_id], owner, clock, rules)[notification_id]


def deliver_due(
    ctx: PushContext,
    now: datetime,
    owner: str,
    rules: DeliveryRules | None = None,
    clock: Clock | None = None,
    max_batches: int | None = None,
) -> dict[str, int]:
    """Claim and deliver everything due, a few rows at a time; returns counts by resulting state.

    Pipelined, one batch sending at a time: the next batch is claimed and judged while this
    one's pushes go out, and this one's outcomes are written while the next one's go out.
    """
    clock = clock or pass_clock(now)
    rules = rules or DeliveryRules()
    counts: dict[str, int] = {}
    closed: dict[str, datetime] = {}  # push services closed by 429s, across the pass
    sending: Batch | None = None
    batches = 0
    while True:
        ids = claim_due(clock(), owner) if max_batches is None or batches < max_batches else []
        batches += 1
        upcoming: Batch | None = None
        done: Dispatched | None = None
        if ids:
            upcoming = _attempt(counts, ids, partial(prepare_batch, ctx, ids, owner, clock, rules))
        if sending is not None:
            next_rows = list(upcoming.outgoing) if upcoming is not None else []
            done = _attempt(counts, list(sending.states), partial(sending.wait, next_rows))
        if upcoming is not None:
            upcoming = _attempt(counts, ids, partial(upcoming.start, closed))
        if sending is not None and done is not None:
            states = _attempt(counts, list(sending.states), partial(sending.finish, done))
            for state in (states or {}).values():
                counts[state] = counts.get(state, 0) + 1
        sending = upcoming
        if not ids:
            return counts


def _attempt(counts: dict[str, int], ids: list[int], step: Callable[[], T]) -> T | None:
    """One step of a batch, or None when it failed: its rows then count as errors (their
    leases run out and they are tried again)."""
    try:
        return step()
    except Exception:
        log.exception("delivering notifications %s failed", ids)
        db.session.rollback()
        counts["error"] = counts.get("error", 0) + len(ids)
        return None


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
