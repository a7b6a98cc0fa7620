"""Local time at the edges: the user's zone, their 'today', wall-clock times and quiet hours
turned into UTC instants. The one home for "what day and hour is it for this user"."""

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


def local_day_end(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which a local day ends (next local midnight)."""
    return day_start(zone, day + timedelta(days=1))


def parse_hhmm(text: str) -> time:
    """`"09:30"` → time(9, 30)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_moment(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    A time skipped by a DST jump (02:30 on a spring-forward night) moves forward by the jump
    (03:30), as calendar apps do; a repeated one (autumn) is taken at its first occurrence.
    """
    return datetime.combine(day, parse_hhmm(hhmm), tzinfo=zone).astimezone(UTC)  # fold=0


def quiet_hours_end(now: datetime, zone: ZoneInfo, start: str, end: str) -> datetime | None:
    """If `now` falls inside quiet hours, the UTC instant they end; otherwise None."""
    if start == end:
        return None
    local = now.astimezone(zone)
    today = local.date()
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    clock = local.time().replace(tzinfo=None)
    if begin < finish:  # same-day window, e.g. 13:00–15:00
        if begin <= clock < finish:
            return local_moment(today, end, zone)
        return None
    if clock >= begin:  # evening part of an overnight window
        return local_moment(today + timedelta(days=1), end, zone)
    if clock < finish:  # morning part
        return local_moment(today, end, zone)
    return None
