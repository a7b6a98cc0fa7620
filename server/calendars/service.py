"""Calendar and meeting rules behind the API (explicit inputs, no request state)."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ..contacts import create_contact, get_contact
from ..crypto import encrypt_secret
from ..errors import ApiError
from ..extensions import db
from ..models import Contact, User
from ..models.calendars import Calendar, Meeting, MeetingAttendee
from ..models.push import Notification
from ..push.outbox import cancel_pending
from .log_rule import logged_meeting_ids, needs_log, needs_log_clause
from .matching import SUGGESTED_ROLE, confirm_attendee, prefill_for, teach_address
from .outcome import FeedError
from .sniff import decode_body

CALENDARS_PER_USER_MAX = 20
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
SYNC_NOW_PAUSE = timedelta(minutes=1)  # "sync now" on one calendar, at most once a minute
MEETINGS_MAX = 1000


def mask_url(url: str) -> str:
    """Scheme and host only: the rest of a feed URL is the secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


def get_calendar(user: User, calendar_id: int) -> Calendar:
    """One of the user's calendars, or 404."""
    calendar = db.session.scalar(
        select(Calendar).where(Calendar.id == calendar_id, Calendar.user_id == user.id)
    )
    if calendar is None:
        raise ApiError(404, "No such calendar.")
    return calendar


def list_calendars(user: User) -> list[Calendar]:
    """The user's calendars, oldest first."""
    return list(
        db.session.scalars(
            select(Calendar).where(Calendar.user_id == user.id).order_by(Calendar.id)
        )
    )


def calendar_room(user: User) -> int:
    """How many more calendars the user may have (the cap applies to restores too)."""
    return max(0, CALENDARS_PER_USER_MAX - len(list_calendars(user)))


def _check_room(user: User) -> None:
    if not calendar_room(user):
        raise ApiError(409, f"You can add up to {CALENDARS_PER_USER_MAX} calendars.")


def queue_first_sync(calendar: Calendar, now: datetime) -> None:
    """Mark the calendar for the worker, which picks it up within a second or two."""
    calendar.next_sync_at = now
    calendar.sync_state = "queued"


def add_url_calendar(
    user: User, name: str, url: str, now: datetime, allow_private: bool, secret_key: str
) -> Calendar:
    """Store a feed URL (encrypted) and queue its first sync; the worker fetches it."""
    from ..outbound import UnsafeURL, check_url  # brings requests, which the web rarely needs

    try:
        normalised = check_url(url, allow_private)
    except UnsafeURL as exc:
        raise ApiError(422, str(exc), {"url": [str(exc)]}) from None
    _check_room(user)
    host = urlsplit(normalised).hostname or "calendar"
    calendar = Calendar(
        user_id=user.id,
        name=name or host,
        source="url",
        url_encrypted=encrypt_secret(normalised, secret_key),
        url_hint=mask_url(normalised),
        warnings=[],
        owner_emails=[],
        meeting_count=0,
        failure_count=0,
        created_at=now,
    )
    queue_first_sync(calendar, now)
    db.session.add(calendar)
    return calendar


def add_upload_calendar(
    user: User, name: str, data: bytes, filename: str, now: datetime
) -> Calendar:
    """Store an uploaded .ics for the worker to read (never parsed in the request).

    Only the cheap checks run here: the size, and that the bytes look like a calendar at all;
    a file that is not one answers 422 and stores nothing.
    """
    if len(data) > UPLOAD_MAX_BYTES:
        raise ApiError(413, f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        decode_body(data)
    except FeedError as exc:
        raise ApiError(422, str(exc)) from None
    _check_room(user)
    calendar = Calendar(
        user_id=user.id,
        name=name or (filename.rsplit(".", 1)[0][:200] if filename else "") or "Uploaded calendar",
        source="upload",
        upload_body=zlib.compress(data, 6),
        content_hash=hashlib.sha256(data).hexdigest(),
        warnings=[],
        owner_emails=[],
        meeting_count=0,
        failure_count=0,
        created_at=now,
    )
    queue_first_sync(calendar, now)
    db.session.add(calendar)
    return calendar


def request_sync(calendar: Calendar, now: datetime) -> None:
    """Make the calendar due now (at most once a minute); validators are forgotten so the
    body is read again. Parsing never runs in a web request."""
    if calendar.sync_state in ("fetching", "reading"):
        return  # already on its way
    last = calendar.sync_requested_at
    if last is not None and now - last < SYNC_NOW_PAUSE:
        wait = int((SYNC_NOW_PAUSE - (now - last)).total_seconds()) + 1
        raise ApiError(429, f"This calendar was synced a moment ago; try again in {wait} s.")
    queue_first_sync(calendar, now)
    calendar.sync_requested_at = now
    calendar.parsed_at = None


def list_meetings(user: User, args: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Meetings in a range (default: 2 days back to 14 ahead), optionally only unlogged ones."""
    start = args.get("from_") or now - timedelta(days=2)
    end = args.get("to") or now + timedelta(days=14)
    stmt = select(Meeting).where(
        Meeting.user_id == user.id, Meeting.end_at > start, Meeting.start_at < end
    )
    if not args.get("include_cancelled"):
        stmt = stmt.where(Meeting.status != "cancelled")
    if args.get("calendar_id") is not None:
        stmt = stmt.where(Meeting.calendar_id == args["calendar_id"])
    if args.get("unlogged"):
        stmt = stmt.where(needs_log_clause(user.id, now))
    meetings = list(db.session.scalars(stmt.order_by(Meeting.start_at, Meeting.id).limit(MEETINGS_MAX)))
    logged = logged_meeting_ids(user.id, [m.id for m in meetings])
    names = _contact_names(user.id, meetings)
    return [meeting_view(m, m.id in logged, names, now) for m in meetings]


def _contact_names(user_id: int, meetings: list[Meeting]) -> dict[int, str]:
    ids = {
        cid
        for m in meetings
        for a in m.attendees
        for cid in (a.contact_id, a.suggested_contact_id)
        if cid is not None
    }
    if not ids:
        return {}
    rows = db.session.execute(
        select(Contact.id, Contact.name).where(Contact.user_id == user_id, Contact.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


def meeting_view(
    meeting: Meeting, logged: bool, names: dict[int, str], now: datetime
) -> dict[str, Any]:
    """The API shape of a meeting."""
    return {
        "id": meeting.id,
        "calendar_id": meeting.calendar_id,
        "title": meeting.title,
        "location": meeting.location,
        "start": meeting.start_at,
        "end": meeting.end_at,
        "status": meeting.status,
        "my_response": meeting.my_response,
        "has_others": meeting.has_others,
        "needs_log": needs_log(meeting, logged, now),
        "logged": logged,
        "attendees": [
            {
                "id": a.id,
                "email": a.email,
                "name": a.name or _title_name(a, names),
                "is_organizer": a.is_organizer,
                "partstat": a.partstat,
                "from_title": a.role == SUGGESTED_ROLE,
                "contact_id": a.contact_id,
                "contact_name": names.get(a.contact_id) if a.contact_id else None,
                "suggested_contact_id": a.suggested_contact_id,
                "suggested_contact_name": (
                    names.get(a.suggested_contact_id) if a.suggested_contact_id else None
                ),
            }
            for a in meeting.attendees
        ],
    }


def _title_name(attendee: MeetingAttendee, names: dict[int, str]) -> str:
    """A title suggestion has no name of its own: show the suggested contact's."""
    if attendee.role != SUGGESTED_ROLE:
        return ""
    return names.get(attendee.suggested_contact_id or attendee.contact_id or 0, "")


def one_meeting_view(user: User, meeting: Meeting, now: datetime) -> dict[str, Any]:
    """A single meeting in the API shape."""
    logged = meeting.id in logged_meeting_ids(user.id, [meeting.id])
    return meeting_view(meeting, logged, _contact_names(user.id, [meeting]), now)


def get_meeting(user: User, meeting_id: int) -> Meeting:
    """One of the user's meetings, or 404."""
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, Meeting.user_id == user.id)
    )
    if meeting is None:
        raise ApiError(404, "No such meeting.")
    return meeting


def get_attendee(meeting: Meeting, attendee_id: int) -> MeetingAttendee:
    """An attendee of this meeting, or 404."""
    for attendee in meeting.attendees:
        if attendee.id == attendee_id:
            return attendee
    raise ApiError(404, "No such attendee on this meeting.")


def confirm(user: User, meeting: Meeting, attendee: MeetingAttendee, contact_id: int | None) -> None:
    """Confirm the suggested (or a chosen) contact for an attendee; teaches the address."""
    chosen = contact_id if contact_id is not None else attendee.suggested_contact_id
    if chosen is None:
        raise ApiError(422, "Choose a contact for this attendee.", {"contact_id": ["Required."]})
    contact = get_contact(user, chosen)
    confirm_attendee(user.id, meeting, attendee, contact)


def skip_log(meeting: Meeting, now: datetime) -> None:
    """Not worth logging: the meeting stops asking, and its reminder is not sent (idempotent)."""
    if meeting.log_skipped_at is None:
        meeting.log_skipped_at = now
    pending = db.session.scalars(
        select(Notification.id).where(
            Notification.user_id == meeting.user_id, Notification.key == f"meeting:{meeting.id}"
        )
    )
    cancel_pending(list(pending), "not worth logging", now)


def dismiss(meeting: Meeting, attendee: MeetingAttendee) -> None:
    """Reject a suggestion; a title suggestion disappears entirely."""
    if attendee.role == SUGGESTED_ROLE and attendee.contact_id is None:
        meeting.attendees.remove(attendee)
    else:
        attendee.suggested_contact_id = None


def contact_from_attendee(
    user: User, meeting: Meeting, attendee: MeetingAttendee, name: str | None, max_contacts: int
) -> Contact:
    """Create a contact prefilled from the attendee and link it (and its address elsewhere)."""
    if attendee.contact_id is not None:
        raise ApiError(409, "This attendee is already linked to a contact.")
    data = prefill_for(attendee)
    if name:
        data["name"] = name
    contact = create_contact(user, data, max_contacts)
    db.session.flush()
    attendee.contact_id = contact.id
    attendee.suggested_contact_id = None
    teach_address(user.id, contact, attendee.email)
    return contact
