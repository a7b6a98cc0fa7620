"""Real-world exports from ../shared/samples (skipped when that folder is absent)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from server.calendars.attendees import event_attendees
from server.calendars.parse import parse_feed

pytestmark = pytest.mark.samples

EVERYTHING = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2035, 1, 1, tzinfo=UTC))


def read(samples: Path, name: str, include_all_day: bool = False):  # noqa: ANN201
    return parse_feed((samples / name).read_bytes(), *EVERYTHING, "Europe/London", include_all_day)


def test_outlook_published_feed_has_occurrences_but_no_attendees(samples: Path) -> None:
    everything = read(samples, "outlook_published_feed_gmt_standard_time.ics", include_all_day=True)
    assert len(everything.occurrences) == 24
    assert all(o.attendees == [] for o in everything.occurrences)
    # they are all-day entries: nothing to log
    assert read(samples, "outlook_published_feed_gmt_standard_time.ics").occurrences == []


def test_outlook_2010_invite_has_one_meeting_with_three_people(samples: Path) -> None:
    feed = read(samples, "outlook2010_invite_attendees.ics")
    (meeting,) = feed.occurrences
    people = {(a.email, a.name) for a in meeting.attendees}
    assert people == {
        ("bobsmith@example.com", "Smith, Bob"),
        ("johndoe@example.com", "Doe, John"),
        ("janedoe@example.com", "Doe, Jane"),
    }
    assert meeting.start_at == datetime(2013, 6, 10, 16, 0, tzinfo=UTC)  # 12:00 Eastern (EDT)


def test_thunderbird_series_has_27_occurrences_without_the_excluded_one(samples: Path) -> None:
    feed = read(samples, "thunderbird_teams_series_windows_tz.ics")
    assert len(feed.occurrences) == 27
    days = {o.start_at.date().isoformat() for o in feed.occurrences}
    assert "2026-04-03" not in days
    first = min(o.start_at for o in feed.occurrences)
    assert first == datetime(2026, 1, 23, 10, 0, tzinfo=UTC)  # 11:00 W. Europe (CET)


def test_thunderbird_series_is_not_shifted_when_x_wr_timezone_is_added(samples: Path) -> None:
    raw = (samples / "thunderbird_teams_series_windows_tz.ics").read_bytes()
    shifted = raw.replace(b"VERSION:2.0", b"VERSION:2.0\r\nX-WR-TIMEZONE:America/Los_Angeles", 1)
    plain = parse_feed(raw, *EVERYTHING, "UTC")
    with_xwr = parse_feed(shifted, *EVERYTHING, "UTC")
    assert [o.start_at for o in with_xwr.occurrences] == [o.start_at for o in plain.occurrences]


def test_khal_cancelled_override_does_not_appear(samples: Path) -> None:
    feed = read(samples, "khal_cancelled_override.ics")
    keys = {o.recurrence_key for o in feed.occurrences}
    assert "2014-07-14T05:00:00Z" not in keys
    assert len(feed.occurrences) == 5
    moved = next(o for o in feed.occurrences if o.recurrence_key == "2014-07-07T05:00:00Z")
    assert moved.start_at == datetime(2014, 7, 7, 7, 0, tzinfo=UTC)


def test_exchange_escaped_rrule_is_skipped_and_reported(samples: Path) -> None:
    feed = read(samples, "exchange_cdo_escaped_rrule.ics")
    assert feed.occurrences == []
    assert any("Sprint 25 Daily Standup" in w for w in feed.warnings)


def test_google_alarm_attendee_is_not_a_guest(samples: Path) -> None:
    feed = read(samples, "google_alarm_attendee_in_valarm.ics")
    assert len(feed.occurrences) == 1
    assert feed.occurrences[0].attendees == []


def test_icloud_principal_addresses_come_from_email_param(samples: Path) -> None:
    cal = icalendar.Calendar.from_ical((samples / "icloud_caldav_event_principal_organizer.ics").read_bytes())
    (event,) = cal.walk("VEVENT")
    people = event_attendees(event)
    organizer = next(p for p in people if p.is_organizer)
    assert organizer.email == "googollee@gmail.com"
    assert all(p.email != "invalid:nomail" for p in people)
    assert any(p.email is None and p.name == "+8613488802891" for p in people)
    declined = [p for p in people if p.partstat == "DECLINED"]
    assert [p.email for p in declined] == ["googollee@hotmail.com"]


def test_google_moved_occurrence_appears_at_new_time_only(samples: Path) -> None:
    feed = read(samples, "google_moved_occurrence.ics")
    moved = [o for o in feed.occurrences if o.recurrence_key == "2021-12-31T20:30:00Z"]
    assert [o.start_at for o in moved] == [datetime(2021, 12, 17, 20, 30, tzinfo=UTC)]


def test_google_x_wr_timezone_feed(samples: Path) -> None:
    feed = read(samples, "google_x_wr_timezone.ics")
    assert len(feed.occurrences) == 2


def test_google_public_feed_reads_across_dst(samples: Path) -> None:
    feed = parse_feed(
        (samples / "google_public_feed_machbar.ics").read_bytes(),
        datetime(2019, 3, 20, tzinfo=UTC), datetime(2019, 4, 10, tzinfo=UTC), "UTC",
    )
    assert feed.occurrences
    assert feed.calendar_name.startswith("machBar")


def test_exchange_w_europe_feed(samples: Path) -> None:
    feed = read(samples, "exchange_published_w_europe_standard_time.ics")
    assert feed.occurrences
    assert feed.warnings == []
