"""Give every time in a feed a real zone before expansion, and drop the series Rapport refuses.

Feeds mix IANA names, Windows names, VTIMEZONE definitions without TZNAME, floating times and
X-WR-TIMEZONE; these rules place each time where the calendar's owner meant it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from .sniff import clean_text

REFUSED_FREQS = ("SECONDLY", "MINUTELY")
TIME_PROPS = ("DTSTART", "DTEND", "RECURRENCE-ID")
LIST_PROPS = ("EXDATE", "RDATE")


def resolve_zone(name: str | None) -> ZoneInfo | None:
    """An IANA or Windows zone name to a ZoneInfo, or None when unknown."""
    if not name:
        return None
    cleaned = str(name).strip().strip('"').strip("/")
    for candidate in (cleaned, WINDOWS_TO_OLSON.get(cleaned)):
        if not candidate:
            continue
        try:
            return ZoneInfo(str(candidate))
        except (ValueError, KeyError, OSError):
            continue
    return None


def calendar_zone(cal: icalendar.Calendar, user_zone: str, notes: list[str]) -> tzinfo:
    """X-WR-TIMEZONE when known, else the user's zone (recording a warning when unknown)."""
    declared = cal.get("X-WR-TIMEZONE")
    fallback = resolve_zone(user_zone) or UTC
    if declared is None:
        return fallback
    zone = resolve_zone(str(declared))
    if zone is None:
        notes.append(
            f"The calendar's time zone '{clean_text(declared, 60)}' is unknown; "
            f"times without a zone were read in {getattr(fallback, 'key', 'UTC')}."
        )
        return fallback
    return zone


def _is_utc(value: datetime) -> bool:
    offset = value.utcoffset()
    return value.tzinfo is not None and offset == timedelta(0) and value.tzname() in ("UTC", "Z")


def _fix_datetime(value: Any, anchor: tzinfo, xwr: tzinfo | None) -> Any:
    """Floating → anchor zone; UTC → the X-WR zone when the feed declares one."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=anchor)
    if xwr is not None and _is_utc(value):
        return value.astimezone(xwr)
    return value


def normalise_zones(
    event: icalendar.Event, default: tzinfo, xwr: tzinfo | None, unknown: set[str]
) -> None:
    """Give every time in an event a real zone before expansion.

    Replaces what recurring-ical-events does through x-wr-timezone, which takes a VTIMEZONE
    without TZNAME (tzname() is None) for a floating time and moves it into X-WR-TIMEZONE,
    shifting meetings by hours. Here only truly floating times (tzinfo is None) are placed.
    """
    for prop in TIME_PROPS:
        if prop in event:
            tzid = event[prop].params.get("TZID") if hasattr(event[prop], "params") else None
            value = event[prop].dt if hasattr(event[prop], "dt") else None
            if isinstance(value, datetime) and value.tzinfo is None and tzid:
                unknown.add(str(tzid))
    start = event.get("DTSTART")
    start_dt = getattr(start, "dt", None)
    if isinstance(start_dt, datetime) and start_dt.tzinfo is None:
        start_dt = start_dt.replace(tzinfo=default)
    anchor = start_dt.tzinfo if isinstance(start_dt, datetime) and start_dt.tzinfo else default
    # A series expands in the zone of its start, so a UTC start moves to X-WR only with a rule.
    shift = xwr if ("RRULE" in event or "RDATE" in event) else None
    for prop in TIME_PROPS:
        if prop not in event or not hasattr(event[prop], "dt"):
            continue
        original = event[prop]
        fixed = _fix_datetime(original.dt, anchor if prop != "DTSTART" else default, shift)
        if fixed is not original.dt:
            params = dict(original.params)
            params.pop("TZID", None)
            del event[prop]
            event.add(prop, fixed)
    for prop in LIST_PROPS:
        if prop not in event:
            continue
        values = event[prop] if isinstance(event[prop], list) else [event[prop]]
        moments = [getattr(v, "dt", None) for vl in values for v in getattr(vl, "dts", [])]
        moments = [_fix_datetime(m, anchor, shift) for m in moments if m is not None]
        del event[prop]
        if moments:
            event.add(prop, moments)


def _rule_freq(event: icalendar.Event) -> str:
    """FREQ of the event's first readable RRULE ('' when none; broken rules are left to
    recurring-ical-events, which skips that series)."""
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules]:
        if rule is None:
            continue
        try:
            freq = rule.get("FREQ")
        except Exception:  # noqa: S112  (a broken rule: recurring-ical-events reports it)
            continue
        if freq:
            return str(freq[0] if isinstance(freq, list) else freq).upper()
    return ""


def prepare_events(cal: icalendar.Calendar, user_zone: str, notes: list[str]) -> None:
    """Drop refused series and place every time in a zone, in place."""
    default = calendar_zone(cal, user_zone, notes)
    xwr = resolve_zone(str(cal["X-WR-TIMEZONE"])) if "X-WR-TIMEZONE" in cal else None
    refused: dict[str, str] = {}
    for event in cal.walk("VEVENT"):
        if _rule_freq(event) in REFUSED_FREQS:
            refused[str(event.get("UID", ""))] = clean_text(event.get("SUMMARY"), 80)
    if refused:
        cal.subcomponents = [
            c
            for c in cal.subcomponents
            if not (c.name == "VEVENT" and str(c.get("UID", "")) in refused)
        ]
        for title in refused.values():
            notes.append(
                f"Skipped '{title or 'untitled'}': it repeats every second or minute, "
                "which Rapport does not expand."
            )
    unknown: set[str] = set()
    for event in cal.walk("VEVENT"):
        try:
            normalise_zones(event, default, xwr, unknown)
        except Exception as exc:  # one odd event must not sink the feed
            notes.append(f"An event's times could not be read: {clean_text(exc, 120)}")
    for name in sorted(unknown):
        notes.append(
            f"Time zone '{clean_text(name, 60)}' is unknown; its times were read in "
            f"{getattr(default, 'key', 'UTC')}."
        )
