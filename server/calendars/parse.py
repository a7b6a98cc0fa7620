"""Read an ICS body into meeting occurrences inside a window: pure, bounded, no database.

Runs inside the child process of :mod:`server.calendars.bounded` for real feeds; tests call it
directly. Everything here takes bytes and explicit inputs and returns plain data.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from .attendees import event_attendees, owner_address
from .bounds import bound_series, bound_timezones
from .outcome import FeedError
from .parsed import ParsedFeed, ParsedOccurrence
from .sniff import clean_text, decode_body, limit_lines
from .zones import prepare_events

MAX_PER_SERIES = 400
MAX_PER_WINDOW = 5_000


def load_calendar(text: str) -> icalendar.Calendar:
    """icalendar's parser, with its exceptions turned into a FeedError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception:  # icalendar raises ValueError, KeyError, IndexError ...
        raise FeedError("unreadable") from None
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise FeedError("not_calendar")
    first = calendars[0]
    for extra in calendars[1:]:  # some exporters concatenate calendars: read them all
        for component in extra.subcomponents:
            first.add_component(component)
    return first


def _utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):  # an all-day date, only kept when asked for
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC)


def expand(
    cal: icalendar.Calendar,
    window_start: datetime,
    window_end: datetime,
    notes: list[str],
    include_all_day: bool = False,
) -> list[ParsedOccurrence]:
    """Occurrences in the window, minus all-day and cancelled ones, with caps."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            query = recurring_ical_events.CalendarQuery(cal, skip_bad_series=True)
            components = query.between(window_start, window_end)
    except Exception:
        raise FeedError("unreadable") from None
    kept_uids = {str(series.uid) for series in query.series}
    bad_titles: dict[str, str] = {}
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", str(id(event))))  # recurring-ical-events' own fallback
        if uid not in kept_uids:
            bad_titles.setdefault(uid, clean_text(event.get("SUMMARY"), 80) or "untitled")
    for title in bad_titles.values():
        notes.append(f"Skipped '{title}': its repeat rule or times are broken.")
    recurring = {
        str(e.get("UID", ""))
        for e in cal.walk("VEVENT")
        if "RRULE" in e or "RDATE" in e or "RECURRENCE-ID" in e
    }
    cancelled_feed = str(cal.get("METHOD", "")).upper() == "CANCEL"
    per_series: dict[str, int] = {}
    result: list[ParsedOccurrence] = []
    capped: set[str] = set()
    for component in components:
        occurrence = _occurrence(component, cancelled_feed, include_all_day)
        if occurrence is None:
            continue
        if occurrence.uid not in recurring:
            occurrence.recurrence_key = ""  # a single event keeps its row when it moves
        count = per_series.get(occurrence.uid, 0) + 1
        per_series[occurrence.uid] = count
        if count > MAX_PER_SERIES:
            capped.add(occurrence.title or occurrence.uid)
            continue
        if len(result) >= MAX_PER_WINDOW:
            notes.append(f"Only the first {MAX_PER_WINDOW:,} meetings in the window were kept.")
            break
        result.append(occurrence)
    for title in sorted(capped):
        notes.append(f"'{clean_text(title, 80)}' repeats too often; only {MAX_PER_SERIES} kept.")
    return result


def _occurrence(
    component: Any, cancelled_feed: bool, include_all_day: bool = False
) -> ParsedOccurrence | None:
    """One expanded component as a ParsedOccurrence, or None when it is not a meeting."""
    status = str(component.get("STATUS", "CONFIRMED")).upper()
    if cancelled_feed or status == "CANCELLED":
        return None  # recurring-ical-events still returns cancelled overrides
    start_prop = component.get("DTSTART")
    if start_prop is None or not isinstance(start_prop.dt, date):
        return None
    if not isinstance(start_prop.dt, datetime) and not include_all_day:
        return None  # all-day events are not meetings
    start = _utc(start_prop.dt)
    end_prop = component.get("DTEND")
    if end_prop is not None and isinstance(end_prop.dt, date):
        end = _utc(end_prop.dt)
    elif "DURATION" in component and isinstance(component["DURATION"].dt, timedelta):
        end = start + component["DURATION"].dt
    else:
        end = start
    if end < start:
        end = start
    recurrence = component.get("RECURRENCE-ID")
    key = ""
    if recurrence is not None and isinstance(recurrence.dt, datetime):
        key = _utc(recurrence.dt).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif recurrence is not None and isinstance(recurrence.dt, date):
        key = recurrence.dt.isoformat()
    return ParsedOccurrence(
        uid=clean_text(component.get("UID", ""), 255) or f"no-uid:{start.isoformat()}",
        recurrence_key=key,
        title=clean_text(component.get("SUMMARY")),
        location=clean_text(component.get("LOCATION")),
        start_at=start,
        end_at=end,
        status="tentative" if status == "TENTATIVE" else "confirmed",
        attendees=event_attendees(component),
    )


def parse_feed(
    data: bytes,
    window_start: datetime,
    window_end: datetime,
    user_zone: str,
    include_all_day: bool = False,
) -> ParsedFeed:
    """Read a feed body and return its meetings in [window_start, window_end)."""
    notes: list[str] = []
    text = bound_timezones(limit_lines(decode_body(data), notes), window_end.year, notes)
    cal = load_calendar(text)
    prepare_events(cal, user_zone, notes)
    bound_series(cal, window_start, window_end, notes)
    occurrences = expand(cal, window_start, window_end, notes, include_all_day)
    name = clean_text(cal.get("X-WR-CALNAME"), 200)
    owner = owner_address(cal)
    return ParsedFeed(
        occurrences=occurrences,
        warnings=notes,
        calendar_name=name,
        owner_emails=[owner] if owner else [],
        problem=None if occurrences else _empty_reason(cal, window_end),
    )


def _empty_reason(cal: icalendar.Calendar, window_end: datetime) -> str | None:
    """Why a window holds no meeting: no events at all, or only past ones (None: later ones)."""
    if not any(True for _ in cal.walk("VEVENT")):
        return "empty"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            later = recurring_ical_events.of(cal, skip_bad_series=True).after(window_end)
            upcoming = next(iter(later), None)
    except Exception:  # a series that only fails past the window: the window was read
        return None
    return "only_past" if upcoming is None else None
