"""The child-process parser: same result as in-process, and real limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.calendars.bounded import ParseLimits, parse_bounded
from server.calendars.parse import FeedError, parse_feed

from .icsbuild import vcalendar, vevent

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 20, tzinfo=UTC)


def test_child_returns_what_the_parser_returns() -> None:
    body = vcalendar(
        vevent("a", dtstart="20260302T090000Z", duration="PT1H", rrule="FREQ=DAILY;COUNT=3",
               attendee=";CN=Jo:mailto:jo@example.com"),
    )
    assert parse_bounded(body, START, END, "UTC") == parse_feed(body, START, END, "UTC")


def test_child_reports_feed_errors_in_plain_words() -> None:
    with pytest.raises(FeedError, match="not a calendar"):
        parse_bounded(b"<html>login</html>", START, END, "UTC")


def test_cpu_limit_stops_an_expensive_feed() -> None:
    # thousands of hourly series started decades ago: far more than one second of CPU
    events = [
        vevent(f"h{i}", dtstart="19800101T000000Z", duration="PT10M", rrule="FREQ=HOURLY")
        for i in range(3000)
    ]
    with pytest.raises(FeedError, match="seconds"):
        parse_bounded(vcalendar(*events), START, END, "UTC",
                      ParseLimits(cpu_seconds=1, wall_seconds=30))


def test_wall_clock_limit_kills_the_child() -> None:
    with pytest.raises(FeedError, match="longer than"):
        parse_bounded(vcalendar(vevent(dtstart="20260302T090000Z")), START, END, "UTC",
                      ParseLimits(wall_seconds=0.001))


def test_memory_limit_is_enforced() -> None:
    body = vcalendar(*[vevent(f"m{i}", dtstart="20260302T090000Z",
                              description="x" * 200_000) for i in range(60)])
    with pytest.raises(FeedError, match="memory|could not be read"):
        parse_bounded(body, START, END, "UTC", ParseLimits(memory_bytes=120 * 1024 * 1024))
