"""The background loop: sync due calendars, plan notifications, deliver what is due."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import text

from .calendars.scheduler import SyncScheduler, sync_due_calendars
from .channels import channel_context_from_app
from .extensions import db
from .models import utcnow
from .models.balances import refresh_due_balances
from .models.system import claim_state, put_state
from .push.delivery import deliver_due, next_due_at, purge_old, push_context_from_app, worker_id
from .reminders.planning import delivery_rules, plan_all

log = logging.getLogger(__name__)
PURGE_EVERY = timedelta(hours=1)
STATISTICS_EVERY = timedelta(hours=1)

_OWNER: str | None = None


def lease_owner() -> str:
    """This process's name on the leases it takes."""
    global _OWNER
    if _OWNER is None:
        _OWNER = worker_id()
    return _OWNER


def record_heartbeat(now: datetime, figures: dict[str, int]) -> None:
    """Store the time and figures of the last pass, for /readyz."""
    put_state(db.session, "worker.heartbeat", {"at": now.isoformat(), **figures}, now)
    db.session.commit()


def purge_if_due(now: datetime, retention_days: int) -> int:
    """Forget finished notifications older than the retention period, at most once an hour."""
    if not claim_state(db.session, "retention.last_purge", now, PURGE_EVERY):
        db.session.rollback()
        return 0
    return purge_old(now, keep=timedelta(days=retention_days))  # commits the mark with the purge


def refresh_statistics_if_due(now: datetime) -> int:
    """Refresh SQLite's planner statistics, at most once an hour (1 when it ran).

    PostgreSQL's autovacuum keeps its statistics; SQLite keeps none unless told. Without them
    it reads a birthday's greetings through the time index (every link of the span, for each
    person) instead of the person's own links: 15 ms instead of 1 for a 5,000-person account.
    A whole ANALYZE of such an account's 47 MB file takes 0.12 s; a sampled one
    (`analysis_limit`) reads only the start of each index, which holds one user, and plans
    no better than none.
    """
    if db.engine.dialect.name != "sqlite":
        return 0
    if not claim_state(db.session, "sqlite.statistics", now, STATISTICS_EVERY):
        db.session.rollback()
        return 0
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return 1


BALANCE_BATCH = 2000


def count_due_balances(now: datetime, budget_s: float = 1.0) -> int:
    """Count again the give/take of the people whose kept 12 months have moved on (or who were
    never counted; see models.balances): batches, each its own transaction, for up to about
    `budget_s` a pass (a migrated database's people are counted over the first passes)."""
    started, counted = time.monotonic(), 0
    while True:
        batch = refresh_due_balances(db.session.connection(), now, BALANCE_BATCH)
        db.session.commit()
        counted += batch
        if batch < BALANCE_BATCH or time.monotonic() - started > budget_s:
            return counted


def run_pass(
    now: datetime, owner: str | None = None, sync_calendars: bool = True
) -> dict[str, int]:
    """One full pass: sync due calendars, plan, deliver. Returns counts for logging."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    figures: dict[str, int] = {}
    if sync_calendars:
        figures["calendars_synced"] = sync_due_calendars(now, app)
    owner = owner or lease_owner()
    figures.update(plan_all(now, app.config["BASE_URL"], owner))
    rules = delivery_rules(channel_context_from_app(app))
    delivered = deliver_due(push_context_from_app(app), now, owner, rules=rules)
    figures.update({f"notifications_{state}": count for state, count in delivered.items()})
    figures["notifications_purged"] = purge_if_due(now, app.config["RETENTION_DAYS"])
    figures["statistics_refreshed"] = refresh_statistics_if_due(now)
    figures["balances_counted"] = count_due_balances(now)
    record_heartbeat(now, figures)
    if any(figures.values()):  # one line per pass that did something; idle passes stay quiet
        log.info("pass %s", " ".join(f"{k}={v}" for k, v in figures.items()))
    return figures


def seconds_until_next(now: datetime, tick: float) -> float:
    """Sleep until the next row falls due, but never longer than the tick."""
    due = next_due_at()
    if due is None:
        return tick
    return max(0.0, min(tick, (due - now).total_seconds()))


def sync_calendars_forever(app: Flask, stop: threading.Event) -> None:
    """Keep calendars in sync on their own threads, so a slow feed never delays a push.

    Due calendars (a new one is due at once) are looked for every CALENDAR_POLL_SECONDS and
    whenever a sync finishes; fetches run concurrently, each user within their share.
    """
    scheduler = SyncScheduler(app)
    try:
        with app.app_context():
            scheduler.run_until(stop, float(app.config["CALENDAR_POLL_SECONDS"]))
    finally:
        scheduler.close(wait=False)


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


