"""Calendar sync driven by the worker: claim due feeds, fetch, parse (bounded), store."""

from __future__ import annotations

import hashlib
import logging
import zlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..crypto import decrypt_secret
from ..extensions import db
from ..models import User
from ..models.calendars import Calendar
from .bounded import WORKER_LIMITS, ParseLimits, parse_bounded
from .fetch import fetch_feed
from .parse import FeedError
from .store import apply_feed, soonest_end, sync_window

log = logging.getLogger(__name__)

SYNC_INTERVAL = timedelta(minutes=15)
SOON_MARGIN = timedelta(minutes=3)
MIN_INTERVAL = timedelta(minutes=2)
REEXPAND_AFTER = timedelta(hours=6)  # an unchanged body is re-expanded as the window moves
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
BATCH = 20


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


def claim_due(now: datetime, limit: int = BATCH) -> list[int]:
    """Claim due calendars under a lease (compare-and-set on next_sync_at), committed."""
    due = db.session.execute(
        select(Calendar.id, Calendar.next_sync_at)
        .where(Calendar.next_sync_at <= now)
        .order_by(Calendar.next_sync_at)
        .limit(limit)
    ).all()
    claimed: list[int] = []
    for row in due:
        result = db.session.execute(
            update(Calendar)
            .where(Calendar.id == row.id, Calendar.next_sync_at == row.next_sync_at)
            .values(next_sync_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(row.id)
    db.session.commit()
    return claimed


def sync_due_calendars(now: datetime) -> int:
    """Sync every calendar whose next sync is due; return how many were synced."""
    count = 0
    for calendar_id in claim_due(now):
        try:
            sync_calendar(calendar_id, now)
        except Exception:  # one broken calendar must not stop the others
            db.session.rollback()
            log.exception("calendar %s: sync failed", calendar_id)
            _record_failure(calendar_id, "Rapport hit an internal error reading this calendar.", now)
        count += 1
    return count


def _record_failure(calendar_id: int, message: str, now: datetime) -> None:
    calendar = db.session.get(Calendar, calendar_id)
    if calendar is None:
        return
    calendar.failure_count = (calendar.failure_count or 0) + 1
    calendar.last_error = message[:500]
    calendar.last_attempt_at = now
    calendar.next_sync_at = next_sync_after_failure(calendar.failure_count, now)
    db.session.commit()


def read_body(calendar: Calendar, now: datetime, allow_private: bool, secret_key: str) -> bytes | None:
    """The body to parse, or None when unchanged and recently expanded (skip parsing)."""
    if calendar.source == "upload":
        if calendar.upload_body is None:
            raise FeedError("The uploaded file is missing; upload it again.")
        if calendar.parsed_at is not None and now - calendar.parsed_at < REEXPAND_AFTER:
            return None
        return zlib.decompress(calendar.upload_body)
    url = decrypt_secret(calendar.url_encrypted or "", secret_key)
    fresh = calendar.parsed_at is not None and now - calendar.parsed_at < REEXPAND_AFTER
    response = fetch_feed(
        url,
        allow_private,
        etag=calendar.etag if fresh else None,
        last_modified=calendar.last_modified if fresh else None,
    )
    if response.unchanged:
        return None
    calendar.etag = response.etag if response.etag and len(response.etag) <= 500 else None
    lm = response.last_modified
    calendar.last_modified = lm if lm and len(lm) <= 100 else None
    digest = hashlib.sha256(response.body).hexdigest()
    if fresh and digest == calendar.content_hash:
        return None
    calendar.content_hash = digest
    return response.body


def sync_calendar(
    calendar_id: int,
    now: datetime,
    limits: ParseLimits = WORKER_LIMITS,
    allow_private: bool | None = None,
) -> bool:
    """Fetch, parse and store one calendar; on failure keep its meetings and record why."""
    calendar = db.session.get(Calendar, calendar_id)
    if calendar is None:
        return False
    user = db.session.get(User, calendar.user_id)
    if user is None:
        return False
    if allow_private is None:
        allow_private = bool(current_app.config.get("ALLOW_PRIVATE_URLS"))
    try:
        body = read_body(calendar, now, allow_private, current_app.config["SECRET_KEY"])
        if body is not None:
            window_start, window_end = sync_window(now)
            feed = parse_bounded(body, window_start, window_end, user.timezone or "UTC", limits)
            apply_feed(calendar, user, feed, now)
            calendar.parsed_at = now
    except (FeedError, ValueError) as exc:
        db.session.rollback()
        _record_failure(calendar_id, str(exc), now)
        return False
    calendar.last_synced_at = now
    calendar.last_attempt_at = now
    calendar.last_error = None
    calendar.failure_count = 0
    db.session.flush()
    calendar.next_sync_at = next_sync_after_success(calendar.id, now)
    db.session.commit()
    return True
