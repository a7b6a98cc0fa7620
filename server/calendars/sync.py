"""Calendar sync driven by the worker (filled in by the calendar feature)."""

from __future__ import annotations

from datetime import datetime


def sync_due_calendars(now: datetime) -> int:
    """Sync every calendar whose next sync is due; return how many were synced."""
    return 0
