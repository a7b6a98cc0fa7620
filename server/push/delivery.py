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
from datetime import datetime, timedelta
from typing import cast

from flask import Flask
from sqlalchemy import delete, func, select, type_coerce

from ..extensions import db
from ..models import User, UTCDateTime
from ..models.push import Notification
from .batch import MAX_ATTEMPTS, deliver_batch
from .lease import CLAIM_BATCH, LEASE, claim_due, finish
from .outgoing import Clock, DeliveryRules, PushContext, send_to_device
from .sender import PostSession
from .vapid import resolve_subject

log = logging.getLogger(__name__)

__all__ = ["CLAIM_BATCH", "LEASE", "MAX_ATTEMPTS", "DeliveryRules", "PushContext", "claim_due",
           "deliver_batch", "finish", "send_to_device"]


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
    """Claim and deliver everything due, a few rows at a time; returns counts by resulting state."""
    clock = clock or pass_clock(now)
    rules = rules or DeliveryRules()
    counts: dict[str, int] = {}
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        ids = claim_due(clock(), owner)
        if not ids:
            break
        try:
            states = deliver_batch(ctx, ids, owner, clock, rules)
        except Exception:
            log.exception("delivering notifications %s failed", ids)
            db.session.rollback()
            states = dict.fromkeys(ids, "error")
        for state in states.values():
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
