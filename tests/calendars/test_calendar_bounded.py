"""The parser pool: same result as in-process, real limits, and children replaced after a kill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from server.calendars.bounded import ParseLimits
from server.calendars.parse import FeedError, parse_feed
from server.calendars.pool import ParserPool

from .icsbuild import vcalendar, vevent

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 20, tzinfo=UTC)
LUNCH = vcalendar(vevent("a", dtstart="20260302T090000Z", duration="PT1H"))


@pytest.fixture
def pool() -> Iterator[ParserPool]:
    parsers = ParserPool(1, ParseLimits(cpu_seconds=2, wall_seconds=30))
    yield parsers
    parsers.close()


def test_child_returns_what_the_parser_returns(pool: ParserPool) -> None:
    body = vcalendar(
        vevent("a", dtstart="20260302T090000Z", duration="PT1H", rrule="FREQ=DAILY;COUNT=3",
               attendee=";CN=Jo:mailto:jo@example.com"),
    )
    feed, cpu = pool.parse(body, START, END, "UTC")
    assert feed == parse_feed(body, START, END, "UTC")
    assert 0 <= cpu < 2


def test_one_child_serves_feed_after_feed(pool: ParserPool) -> None:
    for _ in range(5):
        feed, _ = pool.parse(LUNCH, START, END, "UTC")
        assert len(feed.occurrences) == 1
    assert pool.started == 1


def test_child_reports_feed_errors_by_kind(pool: ParserPool) -> None:
    with pytest.raises(FeedError) as raised:
        pool.parse(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", START, END, "UTC")
    assert raised.value.kind == "not_calendar"
    assert "garbage" not in str(raised.value)  # never the parser's own words


def test_cpu_limit_kills_an_expensive_feed_and_a_fresh_child_takes_over(pool: ParserPool) -> None:
    # twelve thousand plain meetings: about three seconds of CPU to read, over the 2 s budget
    events = [vevent(f"e{i}", dtstart="20260302T090000Z", duration="PT1H") for i in range(12_000)]
    with pytest.raises(FeedError, match="seconds of processing") as raised:
        pool.parse(vcalendar(*events), START, END, "UTC")
    assert raised.value.kind == "too_heavy"
    feed, _ = pool.parse(LUNCH, START, END, "UTC")
    assert len(feed.occurrences) == 1
    assert pool.started == 2


def test_wall_clock_limit_kills_the_child() -> None:
    parsers = ParserPool(1, ParseLimits(wall_seconds=0.001))
    try:
        with pytest.raises(FeedError, match="longer than"):
            parsers.parse(LUNCH, START, END, "UTC")
    finally:
        parsers.close()


def test_memory_limit_is_enforced() -> None:
    body = vcalendar(*[vevent(f"m{i}", dtstart="20260302T090000Z",
                              description="x" * 200_000) for i in range(60)])
    parsers = ParserPool(1, ParseLimits(memory_bytes=120 * 1024 * 1024))
    try:
        with pytest.raises(FeedError) as raised:
            parsers.parse(body, START, END, "UTC")
        assert raised.value.kind in ("too_heavy", "unreadable")
    finally:
        parsers.close()


def test_a_child_is_retired_after_its_share_of_feeds(pool: ParserPool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import server.calendars.pool as pool_module

    monkeypatch.setattr(pool_module, "JOBS_PER_CHILD", 2)
    for _ in range(3):
        feed, _ = pool.parse(LUNCH, START, END, "UTC")
        assert len(feed.occurrences) == 1  # no feed is lost to a retiring child
    assert pool.started == 2
