"""Local time at the edges: a user's clock times and quiet hours, turned into UTC moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    """`"09:30"` → time(9, 30)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_moment(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    A time skipped by a DST jump (02:30 on a spring-forward night) moves forward by the jump
    (03:30), as calendar apps do; a repeated one (autumn) is taken at its first occurrence.
    """
    return datetime.combine(day, parse_hhmm(hhmm), tzinfo=tz).astimezone(UTC)  # fold=0


def local_day_end(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which a local day ends (next local midnight)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The user's calendar date at `now`."""
    return now.astimezone(tz).date()


def quiet_hours_end(now: datetime, tz: ZoneInfo, start: str, end: str) -> datetime | None:
    """If `now` falls inside quiet hours, the UTC instant they end; otherwise None."""
    if start == end:
        return None
    local = now.astimezone(tz)
    today = local.date()
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    clock = local.time().replace(tzinfo=None)
    if begin < finish:  # same-day window, e.g. 13:00–15:00
        if begin <= clock < finish:
            return local_moment(today, end, tz)
        return None
    if clock >= begin:  # evening part of an overnight window
        return local_moment(today + timedelta(days=1), end, tz)
    if clock < finish:  # morning part
        return local_moment(today, end, tz)
    return None
