"""Which calendars sync, how many at once, and fairly between users.

Feeds are fetched by a bounded pool of threads (network waits, not CPU: parsing happens in the
parser children). A user's feeds never hold more than their share of the pool: claiming takes
at most ``share`` calendars per user, minus the ones of that user already running, so twenty
feeds that drip a byte a second delay only their owner. A newly added calendar (or "sync
now") is due at once and picked up within a second by :meth:`SyncScheduler.run_until`.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import utcnow
from ..models.calendars import Calendar
from ..transactions import begin_write
from .pool import ParserPool, shared_pool
from .sync import record_internal_failure, sync_calendar

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)


def claim_due(
    now: datetime,
    limit: int,
    share: int,
    running: Counter[int] | None = None,
    exclude: frozenset[int] = frozenset(),
) -> list[tuple[int, int]]:
    """Claim up to `limit` due calendars, at most `share` per user counting running ones;
    returns (calendar id, user id) pairs, committed."""
    running = running or Counter()
    if limit <= 0:
        return []
    anything = db.session.scalar(select(Calendar.id).where(Calendar.next_sync_at <= now).limit(1))
    if anything is None:  # the usual case, every second: no write lock taken for nothing
        db.session.commit()
        return []
    begin_write()
    rank = func.row_number().over(
        partition_by=Calendar.user_id, order_by=(Calendar.next_sync_at, Calendar.id)
    ).label("rank")
    due = (
        select(Calendar.id, Calendar.user_id, Calendar.next_sync_at, rank)
        .where(Calendar.next_sync_at <= now)
        .subquery()
    )
    rows = db.session.execute(
        select(due.c.id, due.c.user_id, due.c.next_sync_at)
        .where(due.c.rank <= share)
        .order_by(due.c.next_sync_at, due.c.id)
        .limit(limit + sum(running.values()) + len(exclude))
    ).all()
    claimed: list[tuple[int, int]] = []
    taken = Counter(running)
    for row in rows:
        if len(claimed) >= limit or taken[row.user_id] >= share or row.id in exclude:
            continue
        result = db.session.execute(
            update(Calendar)
            .where(Calendar.id == row.id, Calendar.next_sync_at == row.next_sync_at)
            .values(next_sync_at=now + LEASE, sync_state="fetching")
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append((row.id, row.user_id))
            taken[row.user_id] += 1
    db.session.commit()
    return claimed


class SyncScheduler:
    """Keeps up to `workers` calendar syncs running, `share` per user at most."""

    def __init__(self, app: Flask, pool: ParserPool | None = None) -> None:
        self.app = app
        self.workers = int(app.config["CALENDAR_FETCH_WORKERS"])
        self.share = max(1, min(int(app.config["CALENDAR_FETCHES_PER_USER"]), self.workers))
        self.pool = pool or shared_pool(int(app.config["CALENDAR_PARSERS"]))
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="calendar-fetch")
        self.running: dict[int, int] = {}  # calendar id -> user id
        self.lock = threading.Lock()
        self.changed = threading.Event()
        self.synced = 0

    def fill(self, now: datetime) -> int:
        """Start as many due calendars as there is room for; return how many started."""
        with self.lock:
            by_user = Counter(self.running.values())
            free = self.workers - len(self.running)
            running = frozenset(self.running)
        claimed = claim_due(now, free, self.share, by_user, running)
        for calendar_id, user_id in claimed:
            with self.lock:
                self.running[calendar_id] = user_id
            self.executor.submit(self._sync_one, calendar_id, now)
        return len(claimed)

    def _sync_one(self, calendar_id: int, now: datetime) -> None:
        with self.app.app_context():
            try:
                sync_calendar(calendar_id, now, self.pool)
            except Exception:  # one broken calendar must not stop the others
                log.exception("calendar %s: sync failed", calendar_id)
                record_internal_failure(calendar_id, now)
            finally:
                db.session.remove()
                with self.lock:
                    self.running.pop(calendar_id, None)
                    self.synced += 1
                self.changed.set()

    def busy(self) -> int:
        """How many syncs are running."""
        with self.lock:
            return len(self.running)

    def run_once(self, now: datetime) -> int:
        """Sync everything due at `now`, fairly and concurrently; return how many ran."""
        before = self.synced
        while True:
            self.changed.clear()
            started = self.fill(now)
            if not started and not self.busy():
                return self.synced - before
            self.changed.wait(1.0)

    def run_until(self, stop: threading.Event, poll: float) -> None:
        """Keep the pool busy until `stop` is set, looking for due calendars every `poll` s."""
        while not stop.is_set():
            self.changed.clear()
            try:
                self.fill(utcnow())
            except Exception:
                log.exception("claiming calendars failed")
                db.session.rollback()
            finally:
                db.session.remove()
            self.changed.wait(poll)

    def close(self, wait: bool = True) -> None:
        """Stop taking work; with wait, let running syncs finish."""
        self.executor.shutdown(wait=wait, cancel_futures=True)


def sync_due_calendars(now: datetime, app: Flask, pool: ParserPool | None = None) -> int:
    """Sync every calendar due at `now` (the worker's --once pass, and tests)."""
    scheduler = SyncScheduler(app, pool)
    try:
        return scheduler.run_once(now)
    finally:
        scheduler.close()
