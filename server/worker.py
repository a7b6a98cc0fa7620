"""The background loop: sync due calendars, plan notifications, deliver what is due."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import Flask, current_app

from .calendars.sync import sync_due_calendars
from .channels import channel_context_from_app
from .extensions import db
from .models import SystemState, utcnow
from .push.delivery import deliver_due, next_due_at, push_context_from_app, worker_id
from .reminders.planning import delivery_rules, plan_all

log = logging.getLogger(__name__)

_OWNER: str | None = None


def lease_owner() -> str:
    """This process's name on the leases it takes."""
    global _OWNER
    if _OWNER is None:
        _OWNER = worker_id()
    return _OWNER


def record_heartbeat(now: datetime, figures: dict[str, int]) -> None:
    """Store the time and figures of the last pass, for /readyz."""
    row = db.session.get(SystemState, "worker.heartbeat")
    value = {"at": now.isoformat(), **figures}
    if row is None:
        db.session.add(SystemState(key="worker.heartbeat", value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
    db.session.commit()


def run_pass(
    now: datetime, owner: str | None = None, sync_calendars: bool = True
) -> dict[str, int]:
    """One full pass: sync due calendars, plan, deliver. Returns counts for logging."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    figures: dict[str, int] = {}
    if sync_calendars:
        figures["calendars_synced"] = sync_due_calendars(now)
    owner = owner or lease_owner()
    figures.update(plan_all(now, app.config["BASE_URL"], owner))
    rules = delivery_rules(channel_context_from_app(app))
    delivered = deliver_due(push_context_from_app(app), now, owner, rules=rules)
    figures.update({f"notifications_{state}": count for state, count in delivered.items()})
    record_heartbeat(now, figures)
    return figures


def seconds_until_next(now: datetime, tick: float) -> float:
    """Sleep until the next row falls due, but never longer than the tick."""
    due = next_due_at()
    if due is None:
        return tick
    return max(0.0, min(tick, (due - now).total_seconds()))


def sync_calendars_forever(app: Flask, stop: threading.Event) -> None:
    """Keep calendars in sync on their own thread, so a slow feed never delays a push."""
    tick = float(app.config["WORKER_TICK_SECONDS"])
    with app.app_context():
        while not stop.is_set():
            try:
                sync_due_calendars(utcnow())
            except Exception:
                log.exception("calendar sync failed")
                db.session.rollback()
            finally:
                db.session.remove()
            stop.wait(tick)


def run_forever(
    app: Flask, stop_after: float | None = None, stop: threading.Event | None = None
) -> None:
    """Run passes until interrupted, sleeping until the next due row or a short tick.

    Calendar feeds are fetched on a thread of their own (parsing runs in a child process):
    a feed that takes its full deadline to answer must not hold back a due notification.
    """
    started = time.monotonic()
    stop = stop or threading.Event()
    tick = float(app.config["WORKER_TICK_SECONDS"])
    calendars = threading.Thread(
        target=sync_calendars_forever, args=(app, stop), name="calendar-sync", daemon=True
    )
    calendars.start()
    try:
        _deliver_forever(app, stop, started, stop_after, tick)
    finally:
        stop.set()
        calendars.join(timeout=tick + 5)


def _deliver_forever(
    app: Flask, stop: threading.Event, started: float, stop_after: float | None, tick: float
) -> None:
    with app.app_context():
        while not stop.is_set():
            if stop_after is not None and time.monotonic() - started >= stop_after:
                break
            wait = tick
            try:
                run_pass(utcnow(), sync_calendars=False)
                wait = seconds_until_next(utcnow(), tick)
            except Exception:
                log.exception("worker pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
            # A prompt is due within one tick at worst; sub-second waits are not worth a pass.
            stop.wait(max(wait, min(0.2, tick)))


