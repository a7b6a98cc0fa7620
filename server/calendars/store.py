"""Write a parsed feed into meetings: upsert per occurrence, cancel what vanished."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models.calendars import Calendar, Meeting, MeetingAttendee
from .attendees import ParsedAttendee
from .matching import SUGGESTED_ROLE, counts_as_other, load_name_index, match_attendees, my_addresses
from .parsed import ParsedFeed, ParsedOccurrence

WINDOW_BACK = timedelta(days=2)
WINDOW_AHEAD = timedelta(days=14)


def sync_window(now: datetime) -> tuple[datetime, datetime]:
    """The expansion window around `now`: 2 days back, 14 days ahead."""
    return now - WINDOW_BACK, now + WINDOW_AHEAD


def _my_response(attendees: list[ParsedAttendee], me: set[str]) -> str | None:
    for person in attendees:
        if person.email in me:
            return "ACCEPTED" if person.is_organizer and not person.partstat else person.partstat
    return None


def _others(attendees: list[ParsedAttendee], me: set[str]) -> list[ParsedAttendee]:
    """People other than the user who have not declined."""
    return [p for p in attendees if p.email not in me and p.partstat != "DECLINED"]


def _set_attendees(meeting: Meeting, user_id: int, people: list[ParsedAttendee]) -> None:
    """Replace attendee rows, keeping links already made for the same address or name."""
    previous = {(a.email or "", a.name): a for a in meeting.attendees if a.role != SUGGESTED_ROLE}
    kept_suggestions = [a for a in meeting.attendees if a.role == SUGGESTED_ROLE and not people]
    rows: list[MeetingAttendee] = []
    for position, person in enumerate(people):
        row = previous.pop((person.email or "", person.name), None)
        if row is None and person.email:
            row = next((r for (e, _), r in previous.items() if e == person.email), None)
            if row is not None:
                previous = {k: v for k, v in previous.items() if v is not row}
        if row is None:
            row = MeetingAttendee(user_id=user_id)
        row.position = position
        row.email = person.email
        row.name = person.name
        row.role = person.role
        row.partstat = person.partstat
        row.is_organizer = person.is_organizer
        rows.append(row)
    meeting.attendees = rows + kept_suggestions


def _apply_occurrence(
    meeting: Meeting, occurrence: ParsedOccurrence, user_id: int, me: set[str]
) -> None:
    meeting.title = occurrence.title
    meeting.location = occurrence.location
    meeting.start_at = occurrence.start_at
    meeting.end_at = occurrence.end_at
    meeting.status = occurrence.status
    meeting.all_day = False
    meeting.my_response = _my_response(occurrence.attendees, me)
    _set_attendees(meeting, user_id, _others(occurrence.attendees, me))


OUTSIDE_BATCH = 500


def apply_feed(calendar: Calendar, user: User, feed: ParsedFeed, now: datetime) -> int:
    """Upsert the feed's meetings in the window; cancel the ones no longer there.

    A meeting that left the feed (or was cancelled) keeps its row with status 'cancelled', so a
    logged interaction still points at it and a planned prompt can be cancelled; it comes back
    under the same id if it reappears. Returns how many live meetings the window holds.
    """
    window_start, window_end = sync_window(now)
    me = my_addresses(user, feed.owner_emails)
    existing = {
        (m.uid, m.recurrence_key): m
        for m in db.session.scalars(
            select(Meeting).where(
                Meeting.calendar_id == calendar.id,
                Meeting.end_at > window_start,
                Meeting.start_at < window_end,
            )
        )
    }
    outside = _outside_window(
        calendar.id,
        {(o.uid, o.recurrence_key) for o in feed.occurrences} - existing.keys(),
    )
    seen: dict[tuple[str, str], Meeting] = {}
    with db.session.no_autoflush:  # one flush at the end, not one per meeting
        for occurrence in feed.occurrences:
            key = (occurrence.uid, occurrence.recurrence_key)
            if key in seen:
                continue  # a feed listing the same occurrence twice: first one wins
            meeting = existing.pop(key, None) or outside.get(key)
            if meeting is None:
                meeting = Meeting(
                    user_id=user.id, calendar_id=calendar.id, uid=key[0], recurrence_key=key[1]
                )
                db.session.add(meeting)
            _apply_occurrence(meeting, occurrence, user.id, me)
            seen[key] = meeting
    for gone in existing.values():
        if gone.status != "cancelled":
            gone.status = "cancelled"
            gone.updated_at = now
    live = list(seen.values())
    match_attendees(user.id, live, load_name_index(user.id))
    for meeting in live:
        meeting.has_others = any(counts_as_other(a) for a in meeting.attendees)
    calendar.owner_emails = list(feed.owner_emails)
    calendar.warnings = list(feed.warnings)[:50]
    calendar.meeting_count = len(live)
    calendar.known_count = sum(
        1 for m in live if any(a.contact_id is not None for a in m.attendees)
    )
    return len(live)


def _outside_window(
    calendar_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], Meeting]:
    """Rows for these occurrences that were outside the window last time (e.g. moved in),
    read in a few queries by UID rather than one per occurrence."""
    found: dict[tuple[str, str], Meeting] = {}
    uids = sorted({uid for uid, _ in keys})
    for start in range(0, len(uids), OUTSIDE_BATCH):
        rows = db.session.scalars(
            select(Meeting).where(
                Meeting.calendar_id == calendar_id,
                Meeting.uid.in_(uids[start : start + OUTSIDE_BATCH]),
            )
        )
        for meeting in rows:
            key = (meeting.uid, meeting.recurrence_key)
            if key in keys:
                found[key] = meeting
    return found


def soonest_end(calendar_id: int, now: datetime) -> datetime | None:
    """When the next live meeting of this calendar ends (for scheduling the next sync)."""
    return db.session.scalar(
        select(func.min(Meeting.end_at)).where(
            Meeting.calendar_id == calendar_id,
            Meeting.status != "cancelled",
            Meeting.end_at > now,
        )
    )
