"""Parsing and expansion rules, one trap per test (pure functions over bytes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.calendars.parse import MAX_PER_SERIES, FeedError, ParsedFeed, parse_feed

from .icsbuild import vcalendar, vevent, vtimezone_no_tzname

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 30, tzinfo=UTC)


def read(body: bytes, zone: str = "UTC", start: datetime = START, end: datetime = END) -> ParsedFeed:
    return parse_feed(body, start, end, zone)


def starts(feed: ParsedFeed) -> list[str]:
    return [o.start_at.strftime("%Y-%m-%dT%H:%M") for o in feed.occurrences]


def test_single_timed_event_is_read_in_utc() -> None:
    feed = read(vcalendar(vevent(dtstart=";TZID=Europe/Berlin:20260310T120000", duration="PT1H")))
    (occ,) = feed.occurrences
    assert occ.start_at == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    assert occ.end_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert occ.recurrence_key == ""
    assert occ.title == "Lunch with Tom Baker"


def test_rrule_count_and_until() -> None:
    body = vcalendar(
        vevent("a", dtstart="20260302T090000Z", duration="PT30M", rrule="FREQ=DAILY;COUNT=3"),
        vevent("b", dtstart="20260302T100000Z", duration="PT30M",
               rrule="FREQ=WEEKLY;UNTIL=20260316T100000Z"),
    )
    feed = read(body)
    by_uid: dict[str, list[str]] = {}
    for occ in feed.occurrences:
        by_uid.setdefault(occ.uid, []).append(occ.recurrence_key)
    assert by_uid["a"] == ["2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z", "2026-03-04T09:00:00Z"]
    assert by_uid["b"] == ["2026-03-02T10:00:00Z", "2026-03-09T10:00:00Z", "2026-03-16T10:00:00Z"]


def test_exdate_removes_an_occurrence() -> None:
    body = vcalendar(
        vevent(dtstart=";TZID=Europe/London:20260302T090000", duration="PT1H",
               rrule="FREQ=DAILY;COUNT=3", exdate=";TZID=Europe/London:20260303T090000")
    )
    assert starts(read(body)) == ["2026-03-02T09:00", "2026-03-04T09:00"]


def test_floating_exdate_against_zoned_start_is_honoured() -> None:
    body = vcalendar(
        vtimezone_no_tzname(),
        vevent(dtstart=";TZID=W. Europe Standard Time:20260302T110000", duration="PT1H",
               rrule="FREQ=DAILY;COUNT=3", exdate="20260303T110000"),
    )
    assert starts(read(body, zone="America/New_York")) == ["2026-03-02T10:00", "2026-03-04T10:00"]


def test_moved_occurrence_appears_at_its_new_time_only() -> None:
    body = vcalendar(
        vevent("m", dtstart="20260302T090000Z", duration="PT1H", rrule="FREQ=DAILY;COUNT=3"),
        vevent("m", summary="Moved", dtstart="20260303T150000Z", duration="PT1H",
               recurrence_id="20260303T090000Z"),
    )
    feed = read(body)
    assert starts(feed) == ["2026-03-02T09:00", "2026-03-03T15:00", "2026-03-04T09:00"]
    moved = feed.occurrences[1]
    assert moved.recurrence_key == "2026-03-03T09:00:00Z"
    assert moved.title == "Moved"


def test_cancelled_override_is_dropped() -> None:
    body = vcalendar(
        vevent("c", dtstart="20260302T090000Z", duration="PT1H", rrule="FREQ=DAILY;COUNT=3"),
        vevent("c", dtstart="20260303T090000Z", duration="PT1H",
               recurrence_id="20260303T090000Z", status="CANCELLED"),
    )
    assert starts(read(body)) == ["2026-03-02T09:00", "2026-03-04T09:00"]


def test_cancelled_event_and_cancel_method_are_dropped() -> None:
    assert read(vcalendar(vevent(dtstart="20260302T090000Z", status="CANCELLED"))).occurrences == []
    body = vcalendar(vevent(dtstart="20260302T090000Z"), header="METHOD:CANCEL")
    assert read(body).occurrences == []


def test_all_day_events_are_ignored() -> None:
    body = vcalendar(vevent(dtstart=";VALUE=DATE:20260305", dtend=";VALUE=DATE:20260306"))
    assert read(body).occurrences == []


def test_floating_time_uses_x_wr_timezone() -> None:
    body = vcalendar(vevent(dtstart="20260310T090000", duration="PT1H"),
                     header="X-WR-TIMEZONE:America/New_York")
    assert starts(read(body, zone="Europe/London")) == ["2026-03-10T13:00"]


def test_floating_time_uses_user_zone_without_x_wr_timezone() -> None:
    body = vcalendar(vevent(dtstart="20260310T090000", duration="PT1H"))
    assert starts(read(body, zone="Asia/Tokyo")) == ["2026-03-10T00:00"]


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("W. Europe Standard Time", "2026-03-10T08:00"),
        ("Pacific Standard Time", "2026-03-10T16:00"),
        ('"Eastern Standard Time"', "2026-03-10T13:00"),
        ("GMT Standard Time", "2026-03-10T09:00"),
    ],
)
def test_windows_zone_names_are_resolved_without_vtimezone(tzid: str, expected: str) -> None:
    body = vcalendar(vevent(dtstart=f";TZID={tzid}:20260310T090000", duration="PT1H"))
    assert starts(read(body)) == [expected]


def test_unknown_zone_falls_back_visibly() -> None:
    body = vcalendar(vevent(dtstart=";TZID=Mars/Olympus_Mons:20260310T090000", duration="PT1H"))
    feed = read(body, zone="Europe/Berlin")
    assert starts(feed) == ["2026-03-10T08:00"]  # 09:00 in the user's zone, not silently UTC
    assert any("Mars/Olympus_Mons" in w and "Europe/Berlin" in w for w in feed.warnings)


def test_unknown_x_wr_timezone_falls_back_visibly() -> None:
    body = vcalendar(vevent(dtstart="20260310T090000", duration="PT1H"),
                     header="X-WR-TIMEZONE:Nowhere/Special")
    feed = read(body, zone="Europe/London")
    assert starts(feed) == ["2026-03-10T09:00"]
    assert any("Nowhere/Special" in w for w in feed.warnings)


def test_vtimezone_without_tzname_is_not_shifted_by_x_wr_timezone() -> None:
    # x-wr-timezone takes tzname() None for "floating" and moves such times into X-WR-TIMEZONE.
    body = vcalendar(
        vtimezone_no_tzname(),
        vevent("w", dtstart=";TZID=W. Europe Standard Time:20260710T090000", duration="PT1H",
               rrule="FREQ=WEEKLY;COUNT=2"),
        header="X-WR-TIMEZONE:America/New_York",
    )
    feed = read(body, start=datetime(2026, 7, 1, tzinfo=UTC), end=datetime(2026, 8, 1, tzinfo=UTC))
    assert starts(feed) == ["2026-07-10T07:00", "2026-07-17T07:00"]


def test_custom_vtimezone_offsets_are_used() -> None:
    custom = "\r\n".join([
        "BEGIN:VTIMEZONE", "TZID:My Office", "BEGIN:STANDARD", "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD", "END:VTIMEZONE",
    ])
    body = vcalendar(custom, vevent(dtstart=";TZID=My Office:20260310T090000", duration="PT1H"),
                     header="X-WR-TIMEZONE:Europe/London")
    assert starts(read(body)) == ["2026-03-10T03:30"]


def test_utc_series_keeps_local_wall_time_across_dst_with_x_wr_timezone() -> None:
    body = vcalendar(
        vevent(dtstart="20260320T090000Z", duration="PT1H", rrule="FREQ=WEEKLY;COUNT=3"),
        header="X-WR-TIMEZONE:Europe/Berlin",
    )
    # 10:00 Berlin each week: 09:00Z before the change on 29 March, 08:00Z after
    assert starts(read(body)) == ["2026-03-20T09:00", "2026-03-27T09:00", "2026-04-03T08:00"]


def test_malformed_rrule_skips_only_that_series() -> None:
    body = vcalendar(
        vevent("bad", summary="Broken standup", dtstart="20260302T090000Z",
               rrule="FREQ=DAILY;BYDAY=MO\\, TU"),
        vevent("good", summary="Fine", dtstart="20260303T090000Z", duration="PT1H"),
    )
    feed = read(body)
    assert [o.uid for o in feed.occurrences] == ["good"]
    assert any("Broken standup" in w for w in feed.warnings)


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY"])
def test_secondly_and_minutely_are_refused_with_a_message(freq: str) -> None:
    body = vcalendar(
        vevent("fast", summary="Spam", dtstart="20260302T000000Z", rrule=f"FREQ={freq}"),
        vevent("ok", summary="Fine", dtstart="20260303T090000Z", duration="PT1H"),
    )
    feed = read(body)
    assert [o.uid for o in feed.occurrences] == ["ok"]
    assert any("Spam" in w and "second or minute" in w for w in feed.warnings)


def test_huge_count_is_capped_per_series() -> None:
    body = vcalendar(vevent(dtstart="20260301T000000Z", duration="PT10M",
                            rrule="FREQ=HOURLY;COUNT=1000000000"))
    feed = read(body)
    assert len(feed.occurrences) == MAX_PER_SERIES
    assert any("repeats too often" in w for w in feed.warnings)


def test_attendees_from_event_not_from_valarm() -> None:
    alarm = "\r\n".join([
        "BEGIN:VALARM", "ACTION:EMAIL", "TRIGGER:-PT10M", "SUMMARY:x", "DESCRIPTION:x",
        "ATTENDEE:mailto:alarm@example.com", "END:VALARM",
    ])
    body = vcalendar(vevent(dtstart="20260310T090000Z", duration="PT1H",
                            organizer=";CN=Tom Baker:mailto:Tom@Example.com",
                            attendee=";CN=\"Doe, Jane\";PARTSTAT=ACCEPTED:mailto:jane@example.com",
                            extra=alarm))
    (occ,) = read(body).occurrences
    assert [(a.email, a.name, a.is_organizer) for a in occ.attendees] == [
        ("tom@example.com", "Tom Baker", True),
        ("jane@example.com", "Doe, Jane", False),
    ]


def test_rooms_groups_and_placeholders_are_not_people() -> None:
    event = vevent(
        dtstart="20260310T090000Z", duration="PT1H",
        organizer="mailto:unknownorganizer@calendar.google.com",
        extra="\r\n".join([
            "ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@example.com",
            "ATTENDEE;CN=Team:mailto:abc@group.calendar.google.com",
            "ATTENDEE;CN=Board room:mailto:c_123@resource.calendar.google.com",
            "ATTENDEE;CN=+4917012345;PARTSTAT=NEEDS-ACTION:invalid:nomail",
            "ATTENDEE;CN=Ann;EMAIL=ann@example.com:urn:uuid:1234",
        ]),
    )
    (occ,) = read(vcalendar(event)).occurrences
    assert [(a.email, a.name) for a in occ.attendees] == [
        (None, "+4917012345"),
        ("ann@example.com", "Ann"),
    ]


def test_google_owner_address_comes_from_x_wr_calname() -> None:
    body = vcalendar(vevent(dtstart="20260310T090000Z"), header="X-WR-CALNAME:maya@gmail.com")
    assert read(body).owner_emails == ["maya@gmail.com"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"hello world",
        b"<html><body>Sign in</body></html>",
        b"\x00\x01\x02BEGIN:VCALENDAR",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n",
        b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\n",
    ],
)
def test_garbage_is_a_clear_feed_error_or_empty(body: bytes) -> None:
    try:
        feed = read(body)
    except FeedError as exc:
        assert str(exc)
    else:
        assert feed.occurrences == []


def test_one_broken_event_does_not_sink_the_feed() -> None:
    body = vcalendar(
        vevent("x", dtstart="not-a-date"),
        vevent("y", dtstart="20260310T090000Z", duration="PT1H"),
    )
    try:
        feed = read(body)
    except FeedError:
        pytest.fail("a single unreadable event must not make the whole feed fail")
    assert [o.uid for o in feed.occurrences] == ["y"]


def test_over_long_lines_are_skipped() -> None:
    body = vcalendar(vevent(dtstart="20260310T090000Z", extra="DESCRIPTION:" + "x" * 300_000))
    feed = read(body)
    assert len(feed.occurrences) == 1
    assert any("over-long" in w for w in feed.warnings)


def test_too_many_components_are_refused() -> None:
    body = vcalendar(*["BEGIN:VEVENT\r\nEND:VEVENT"] * 50_001)
    with pytest.raises(FeedError, match="more than"):
        read(body)


def test_oversize_body_is_refused() -> None:
    with pytest.raises(FeedError, match="20 MB"):
        read(b"BEGIN:VCALENDAR\r\n" + b"X" * (20 * 1024 * 1024))


def test_json_round_trip_keeps_everything() -> None:
    feed = read(vcalendar(vevent(dtstart="20260310T090000Z", duration="PT1H",
                                 attendee=";CN=Jo:mailto:jo@example.com")))
    assert ParsedFeed.from_json(feed.to_json()) == feed
