"""One calendar's sync, in three steps that hold no transaction across the slow parts.

1. :func:`prepare` reads what the fetch needs (the decrypted address or the uploaded file, the
   validators, the deadline) and ends the transaction;
2. :func:`fetch_and_parse` downloads (guarded, conditional, within the feed's deadline) and
   parses in the shared parser pool, touching no database;
3. :func:`store` writes the meetings or the plain reason it failed, then plans that user's
   prompts.

Which calendars run, how many at once and how fairly is :mod:`.scheduler`'s business.
"""

from __future__ import annotations

import hashlib
import logging
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from ..crypto import decrypt_secret
from ..extensions import db
from ..models import User
from ..models.calendars import Calendar
from ..reminders.planning import plan_for_user
from ..transactions import begin_write
from .fetch import FETCH_DEADLINE, fetch_feed
from .outcome import PROBLEMS, FeedError
from .parsed import ParsedFeed
from .pool import ParserPool
from .store import apply_feed, soonest_end, sync_window

log = logging.getLogger(__name__)

SYNC_INTERVAL = timedelta(minutes=15)
SOON_MARGIN = timedelta(minutes=3)
MIN_INTERVAL = timedelta(minutes=2)
REEXPAND_AFTER = timedelta(hours=6)  # an unchanged body is re-expanded as the window moves
MAX_BACKOFF = timedelta(hours=6)
MIN_DEADLINE = 10.0
MAX_STRIKES = 3
STORE_ATTEMPTS = 5  # SQLite: another writer may hold the lock past the busy timeout


def next_sync_after_success(calendar_id: int, now: datetime) -> datetime:
    """Every 15 minutes, sooner when one of this feed's meetings ends before then."""
    regular = now + SYNC_INTERVAL
    ends = soonest_end(calendar_id, now)
    if ends is not None and ends < regular:
        return max(now + MIN_INTERVAL, ends - SOON_MARGIN)
    return regular


def next_sync_after_failure(failures: int, now: datetime) -> datetime:
    """Back off: 15 min, 30, 60 ... up to 6 hours."""
    return now + min(SYNC_INTERVAL * (2 ** max(0, failures - 1)), MAX_BACKOFF)


def fetch_deadline(slow_strikes: int) -> float:
    """60 s for a feed that answers well; halved for each recent slow answer, down to 10 s."""
    return max(MIN_DEADLINE, FETCH_DEADLINE / (2 ** max(0, min(slow_strikes, MAX_STRIKES))))


@dataclass
class SyncJob:
    """What one sync needs, read from the database before the slow parts."""

    calendar_id: int
    user_id: int
    user_zone: str
    upload: bytes | None
    url: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    deadline: float
    skip: bool = False  # an upload expanded recently: nothing to do


@dataclass
class SyncResult:
    """What the slow parts produced."""

    feed: ParsedFeed | None = None  # None: unchanged, keep the stored meetings
    error: FeedError | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    fetch_seconds: float = 0.0


def prepare(calendar_id: int, now: datetime, secret_key: str) -> SyncJob | None:
    """Read the job and end the transaction (None when the calendar or user is gone)."""
    calendar = db.session.get(Calendar, calendar_id)
    user = db.session.get(User, calendar.user_id) if calendar is not None else None
    if calendar is None or user is None:
        db.session.rollback()
        return None
    fresh = calendar.parsed_at is not None and now - calendar.parsed_at < REEXPAND_AFTER
    upload = None
    if calendar.source == "upload" and not fresh and calendar.upload_body is not None:
        upload = zlib.decompress(calendar.upload_body)
    job = SyncJob(
        calendar_id=calendar.id,
        user_id=user.id,
        user_zone=user.timezone or "UTC",
        upload=upload,
        url=decrypt_secret(calendar.url_encrypted, secret_key) if calendar.url_encrypted else None,
        etag=calendar.etag if fresh else None,
        last_modified=calendar.last_modified if fresh else None,
        content_hash=calendar.content_hash if fresh else None,
        deadline=fetch_deadline(calendar.slow_strikes or 0),
        skip=calendar.source == "upload" and fresh,
    )
    db.session.commit()
    return job


def _read_body(job: SyncJob, allow_private: bool, result: SyncResult) -> bytes | None:
    """The body to parse, or None when unchanged since the last expansion."""
    if job.skip:
        return None
    if job.upload is not None:
        return job.upload
    if job.url is None:
        raise FeedError("missing")
    started = time.monotonic()
    try:
        response = fetch_feed(job.url, allow_private, job.etag, job.last_modified, job.deadline)
    finally:
        result.fetch_seconds = time.monotonic() - started
    result.etag, result.last_modified = response.etag, response.last_modified
    if response.unchanged:
        return None
    digest = hashlib.sha256(response.body).hexdigest()
    result.content_hash = digest
    if digest == job.content_hash:
        return None
    return response.body


def fetch_and_parse(
    job: SyncJob, now: datetime, pool: ParserPool, allow_private: bool,
    mark_reading: bool = True,
) -> SyncResult:
    """Download and parse outside any transaction; failures come back as result.error."""
    result = SyncResult()
    try:
        body = _read_body(job, allow_private, result)
        if body is not None:
            if mark_reading:
                set_state(job.calendar_id, "reading")
            window_start, window_end = sync_window(now)
            result.feed, _ = pool.parse(body, window_start, window_end, job.user_zone)
    except FeedError as exc:
        result.error = exc
    return result


def set_state(calendar_id: int, state: str) -> None:
    """Record what the worker is doing with a calendar (for the page's progress); best effort,
    a busy database only delays what the page shows."""
    try:
        begin_write()
        db.session.execute(
            update(Calendar).where(Calendar.id == calendar_id).values(sync_state=state)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        log.warning("calendar %s: could not record state %s", calendar_id, state)


def _strikes(calendar: Calendar, job: SyncJob, result: SyncResult) -> int:
    slow = result.fetch_seconds > job.deadline / 2 or (
        result.error is not None and result.error.kind == "slow"
    )
    strikes = calendar.slow_strikes or 0
    return min(MAX_STRIKES, strikes + 1) if slow else max(0, strikes - 1)


def store(job: SyncJob, result: SyncResult, now: datetime) -> bool:
    """Write the outcome; True when the calendar was read (or unchanged)."""
    begin_write()
    calendar = db.session.get(Calendar, job.calendar_id)
    user = db.session.get(User, job.user_id)
    if calendar is None or user is None:
        db.session.rollback()
        return False
    calendar.last_attempt_at = now
    calendar.slow_strikes = _strikes(calendar, job, result)
    if result.error is not None:
        calendar.sync_state = "idle"
        calendar.failure_count = (calendar.failure_count or 0) + 1
        calendar.problem = result.error.kind
        calendar.last_error = str(result.error)[:500]
        calendar.next_sync_at = next_sync_after_failure(calendar.failure_count, now)
        db.session.commit()
        return False
    if result.etag is not None or result.last_modified is not None or result.content_hash:
        calendar.etag = result.etag if result.etag and len(result.etag) <= 500 else None
        lm = result.last_modified
        calendar.last_modified = lm if lm and len(lm) <= 100 else None
    if result.content_hash:
        calendar.content_hash = result.content_hash
    if result.feed is not None:
        apply_feed(calendar, user, result.feed, now)
        calendar.parsed_at = now
        calendar.problem = result.feed.problem
        calendar.last_error = PROBLEMS[result.feed.problem].message if result.feed.problem else None
    calendar.last_synced_at = now
    calendar.failure_count = 0
    db.session.flush()
    calendar.next_sync_at = next_sync_after_success(calendar.id, now)
    db.session.commit()
    _plan(job.user_id, now)
    set_state(job.calendar_id, "idle")  # idle once its prompts are planned too
    return True


def _plan(user_id: int, now: datetime) -> None:
    """Plan this user's prompts now, so a meeting that just ended is asked about at once."""
    try:
        begin_write()
        plan_for_user(user_id, now, current_app.config["BASE_URL"])  # commits
    except Exception:  # the worker's regular pass plans again
        db.session.rollback()
        log.exception("planning after the sync of user %s failed", user_id)


def sync_calendar(
    calendar_id: int, now: datetime, pool: ParserPool, allow_private: bool | None = None
) -> bool:
    """Fetch, parse and store one calendar; on failure keep its meetings and record why."""
    if allow_private is None:
        allow_private = bool(current_app.config.get("ALLOW_PRIVATE_URLS"))
    job = prepare(calendar_id, now, current_app.config["SECRET_KEY"])
    if job is None:
        return False
    result = fetch_and_parse(job, now, pool, allow_private)
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            return store(job, result, now)
        except OperationalError:
            db.session.rollback()
            if attempt == STORE_ATTEMPTS or db.session.get_bind().dialect.name != "sqlite":
                raise
            log.warning("calendar %s: database busy, storing again (%s)", calendar_id, attempt)
            time.sleep(attempt)
    return False


def record_internal_failure(calendar_id: int, now: datetime) -> None:
    """After an unexpected error: keep the meetings, say so in plain words, back off."""
    db.session.rollback()
    begin_write()
    calendar = db.session.get(Calendar, calendar_id)
    if calendar is None:
        db.session.rollback()
        return
    calendar.failure_count = (calendar.failure_count or 0) + 1
    calendar.problem = "internal"
    calendar.last_error = PROBLEMS["internal"].message
    calendar.last_attempt_at = now
    calendar.sync_state = "idle"
    calendar.next_sync_at = next_sync_after_failure(calendar.failure_count, now)
    db.session.commit()
