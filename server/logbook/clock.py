"""Local time at the edges: the user's zone, their 'today', and local days as UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..models import User


def user_zone(user: User) -> ZoneInfo:
    """The user's time zone (UTC when unset or unknown)."""
    try:
        return ZoneInfo(user.timezone or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def local_today(user: User, now: datetime) -> date:
    """The user's calendar date at `now`."""
    return now.astimezone(user_zone(user)).date()


def local_date(user: User, moment: datetime) -> date:
    """The user's calendar date of an instant."""
    return moment.astimezone(user_zone(user)).date()


def day_start(zone: ZoneInfo, day: date) -> datetime:
    """The UTC instant at which `day` begins in `zone`."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def day_bounds(zone: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) as UTC instants."""
    return day_start(zone, first), day_start(zone, last + timedelta(days=1))
