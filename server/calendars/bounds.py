"""Make recurrence expansion cost follow the sync window, not the rule.

icalendar turns each VTIMEZONE into a tzinfo while it parses, iterating every STANDARD/DAYLIGHT
rule to the year 9999: a 500-byte zone with ``RRULE:FREQ=MINUTELY`` costs minutes of CPU. Zone
rules are therefore rewritten in the text, before icalendar sees them: only yearly rules with a
few transitions a year are kept, and each ends the year after the window. Event series are
moved forward in whole steps of their rule to just before the window (so a daily meeting since
1990 costs two weeks of occurrences, not thirty-six years), and a series whose expansion would
still exceed a budget is skipped with a note.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import icalendar

MAX_TIMEZONES = 50
ZONE_PER_YEAR_MAX = 12
ZONE_TRANSITIONS_MAX = 20_000
SERIES_STEPS_MAX = 50_000
FEED_STEPS_MAX = 300_000
ZONE_SUBS = ("STANDARD", "DAYLIGHT")
ZONE_REFUSED_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")
STEP = {"HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}
APPROX_PERIOD = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    **STEP,
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
DAYS_SCANNED = {"MONTHLY": 31, "YEARLY": 366}  # dateutil walks each day of the period
EXPANDING_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYHOUR",
                   "BYMINUTE", "BYSECOND")


def _rule_parts(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in value.split(";"):
        key, sep, val = piece.partition("=")
        if sep:
            parts[key.strip().upper()] = val.strip()
    return parts


def _count(parts: dict[str, str], key: str) -> int:
    return len([v for v in parts.get(key, "").split(",") if v]) if key in parts else 0


def _zone_per_year(parts: dict[str, str]) -> int:
    """An upper bound of transitions a year for a yearly zone rule."""
    if not any(k in parts for k in ("BYMONTH", "BYMONTHDAY", "BYDAY")):
        return 1
    months = _count(parts, "BYMONTH") or 12
    if "BYMONTHDAY" in parts:
        per_month = _count(parts, "BYMONTHDAY")
    elif "BYDAY" in parts:
        days = [d for d in parts["BYDAY"].split(",") if d]
        per_month = sum(1 if re.match(r"^[+-]?\d", d) else 5 for d in days)
    else:
        per_month = 1
    return months * max(per_month, 1)


def _bounded_zone_rule(value: str, start_year: int, end_year: int) -> tuple[str | None, int]:
    """The rule rewritten to end after end_year, and its transition count; None to drop it."""
    parts = _rule_parts(value)
    if parts.get("FREQ", "").upper() != "YEARLY" or any(p in parts for p in ZONE_REFUSED_PARTS):
        return None, 0
    per_year = _zone_per_year(parts)
    if per_year > ZONE_PER_YEAR_MAX:
        return None, 0
    years = max(1, end_year + 1 - start_year + 1)
    until = parts.pop("UNTIL", None)
    if until and until[:4].isdigit() and int(until[:4]) <= end_year + 1:
        parts["UNTIL"] = until  # an old rule that ended: keep it as it is
        years = max(1, int(until[:4]) - start_year + 1)
        parts.pop("COUNT", None)
    else:
        count = parts.get("COUNT", "")
        limit = per_year * years
        parts["COUNT"] = str(min(int(count), limit) if count.isdigit() else limit)
    cost = per_year * years
    return ";".join(f"{k}={v}" for k, v in parts.items()), cost


def _unfold(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and out:
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


def _bound_zone_part(lines: list[str], end_year: int, budget: list[int]) -> tuple[list[str], bool]:
    """One STANDARD/DAYLIGHT block with its rule bounded; True when a rule was dropped."""
    lines = _unfold(lines)
    start = next((ln for ln in lines if ln[:7].upper() == "DTSTART"), "")
    value = start.rpartition(":")[2]
    start_year = int(value[:4]) if value[:4].isdigit() else None
    out: list[str] = []
    dropped = False
    for line in lines:
        if line[:5].upper() != "RRULE":
            out.append(line)
            continue
        head, _, rule = line.partition(":")
        bounded, cost = (None, 0) if start_year is None else _bounded_zone_rule(
            rule, start_year, end_year
        )
        if bounded is None or cost > budget[0]:
            dropped = True
            continue
        budget[0] -= cost
        out.append(f"{head}:{bounded}")
    return out, dropped


def bound_timezones(text: str, end_year: int, notes: list[str]) -> str:
    """Rewrite VTIMEZONE rules so building their tzinfo costs at most a few thousand steps."""
    if "VTIMEZONE" not in text.upper():
        return text
    out: list[str] = []
    block: list[str] | None = None
    zones = 0
    skipping = False
    budget = [ZONE_TRANSITIONS_MAX]
    dropped = 0
    for line in text.split("\r\n"):
        upper = line[:20].upper().rstrip()
        if upper == "BEGIN:VTIMEZONE":
            zones += 1
            skipping = zones > MAX_TIMEZONES
        if skipping:
            skipping = upper != "END:VTIMEZONE"
            continue
        if block is not None:
            block.append(line)
            if upper in ("END:STANDARD", "END:DAYLIGHT"):
                bounded, was_dropped = _bound_zone_part(block, end_year, budget)
                dropped += was_dropped
                out.extend(bounded)
                block = None
            continue
        if upper in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            block = [line]
            continue
        out.append(line)
    if block is not None:
        out.extend(block)
    if zones > MAX_TIMEZONES:
        notes.append(f"Only the first {MAX_TIMEZONES} time zone definitions were read.")
    if dropped:
        notes.append(f"{dropped} time zone rule(s) that change the clock too often were ignored.")
    return "\r\n".join(out)


def _first(rule: Any, key: str) -> Any:
    value = rule.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _wall(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def _rebase(event: icalendar.Event, rule: Any, freq: str, window_start: datetime) -> None:
    """Move the series' start forward by whole steps to just before the window."""
    start = event["DTSTART"].dt
    step = STEP[freq] * max(1, int(_first(rule, "INTERVAL") or 1))
    end_prop = event.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    duration = end - start if end is not None and type(end) is type(start) else timedelta(0)
    duration = max(duration, timedelta(0))
    if freq == "HOURLY" and not isinstance(start, datetime):
        return
    if isinstance(start, datetime):
        target = window_start.astimezone(start.tzinfo) if start.tzinfo else window_start
        gap = _wall(target) - _wall(start) - duration - step - timedelta(days=2)
    else:
        gap = window_start.date() - start - duration - step - timedelta(days=2)
    steps = gap // step
    if steps <= 0:
        return
    shift = step * steps
    for prop, value in (("DTSTART", start), ("DTEND", end)):
        if value is None:
            continue
        del event[prop]
        event.add(prop, value + shift)


def _series_steps(event: icalendar.Event, rules: list[Any], window_end: datetime) -> int:
    """An upper bound of candidates dateutil walks to expand the series up to window_end."""
    start = event["DTSTART"].dt
    if isinstance(start, datetime):
        span = _wall(window_end.astimezone(start.tzinfo) if start.tzinfo else window_end) - _wall(start)
    else:
        span = window_end.date() - start
    total = 0
    for rule in rules:
        freq = str(_first(rule, "FREQ") or "").upper()
        period = APPROX_PERIOD.get(freq)
        if period is None:
            continue
        interval = max(1, int(_first(rule, "INTERVAL") or 1))
        periods = max(1, span // (period * interval) + 1)
        per_period = 1
        for part in EXPANDING_PARTS:
            values = rule.get(part)
            if values:
                per_period *= len(values) if isinstance(values, list) else 1
        per_period = max(per_period, DAYS_SCANNED.get(freq, 1) if per_period > 1 else 1)
        count = _first(rule, "COUNT")
        steps = periods * per_period
        total += min(steps, int(count) * per_period) if count else steps
    return total


def bound_series(
    cal: icalendar.Calendar, window_start: datetime, window_end: datetime, notes: list[str]
) -> None:
    """Rebase far-past series and drop the ones still too costly to expand (in place)."""
    budget = FEED_STEPS_MAX
    refused: dict[str, str] = {}
    for event in cal.walk("VEVENT"):
        if "RRULE" not in event or "DTSTART" not in event:
            continue
        raw = event["RRULE"]
        rules = raw if isinstance(raw, list) else [raw]
        start = event["DTSTART"].dt
        if not isinstance(start, date):
            continue
        try:
            freq = str(_first(rules[0], "FREQ") or "").upper()
            if len(rules) == 1 and freq in STEP and not _first(rules[0], "COUNT"):
                _rebase(event, rules[0], freq, window_start)
            steps = _series_steps(event, rules, window_end)
        except (TypeError, ValueError, OverflowError, KeyError):
            continue  # a broken rule: recurring-ical-events skips that series and says so
        if steps > SERIES_STEPS_MAX or steps > budget:
            refused[str(event.get("UID", ""))] = str(event.get("SUMMARY", ""))[:80]
            continue
        budget -= steps
    if not refused:
        return
    cal.subcomponents = [
        c
        for c in cal.subcomponents
        if not (c.name == "VEVENT" and str(c.get("UID", "")) in refused)
    ]
    for title in refused.values():
        notes.append(
            f"Skipped '{title or 'untitled'}': it repeats too often for Rapport to expand."
        )
