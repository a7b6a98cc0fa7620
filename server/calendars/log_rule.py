"""The one rule for "this meeting needs a log", its SQL twin, "which meetings are logged",
and what saving a log for a meeting confirms.

A meeting needs a log once it has ended, when someone else was there (a feed attendee, or a
title suggestion the user confirmed), it was not cancelled, declined or all day, the user did
not set it aside ("not worth logging"), and nothing is logged against it yet. A meeting that
names one of the user's people only in its title (feeds without ATTENDEE lines) does not need
a log, but is still worth a prompt asking whether it was that person; a log saved for it with
that person confirms the match.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, and_, exists, func, not_, select

from ..extensions import db
from ..models import Contact
from ..models.calendars import Meeting
from ..models.interactions import Interaction
from .matching import SUGGESTED_ROLE, confirm_attendee


def logged_meeting_ids(user_id: int, meeting_ids: list[int]) -> set[int]:
    """Which of these meetings have an interaction logged against them."""
    if not meeting_ids:
        return set()
    return {
        mid
        for mid in db.session.scalars(
            select(Interaction.meeting_id).where(
                Interaction.user_id == user_id, Interaction.meeting_id.in_(meeting_ids)
            )
        )
        if mid is not None
    }


def logged_by_owner(meeting_ids: Collection[int]) -> set[int]:
    """Which of these meetings (of any users) their own user has logged, in one query."""
    if not meeting_ids:
        return set()
    return set(db.session.scalars(
        select(Meeting.id).where(Meeting.id.in_(meeting_ids), logged_clause(Meeting.user_id))
    ))


def logged_clause(user_id: int | ColumnExpressionArgument[int]) -> ColumnElement[bool]:
    """SQL: the meeting has an interaction logged against it by `user_id` (or a column)."""
    return exists().where(Interaction.user_id == user_id, Interaction.meeting_id == Meeting.id)


def declined(meeting: Meeting) -> bool:
    """The user said no to this meeting."""
    return (meeting.my_response or "").upper() == "DECLINED"


def _could_be_logged(meeting: Meeting) -> bool:
    """It happened and the user still cares: not cancelled, declined, all day or set aside."""
    return bool(
        meeting.status != "cancelled"
        and not meeting.all_day
        and not declined(meeting)
        and meeting.log_skipped_at is None
    )


def is_loggable(meeting: Meeting) -> bool:
    """Someone else was there, it happened, and the user did not set it aside."""
    return bool(meeting.has_others) and _could_be_logged(meeting)


def needs_log(meeting: Meeting, logged: bool, now: datetime) -> bool:
    """The rule: loggable, ended, and nothing logged yet."""
    return is_loggable(meeting) and meeting.end_at <= now and not logged


def needs_log_clause(user_id: Any, now: Any) -> ColumnElement[bool]:
    """SQL twin of `needs_log` for the user's meetings (`user_id` and `now`: values, or
    bound parameters for a statement kept)."""
    return and_(
        Meeting.user_id == user_id,
        Meeting.has_others.is_(True),
        Meeting.status != "cancelled",
        Meeting.all_day.is_(False),
        func.upper(func.coalesce(Meeting.my_response, "")) != "DECLINED",
        Meeting.log_skipped_at.is_(None),
        Meeting.end_at <= now,
        not_(logged_clause(user_id)),
    )


def named_in_title(meeting: Meeting) -> list[int]:
    """Contacts a feed without attendees names in the title (unconfirmed suggestions)."""
    return [
        a.suggested_contact_id
        for a in meeting.attendees
        if a.role == SUGGESTED_ROLE and a.contact_id is None and a.suggested_contact_id
    ]


def wants_prompt(meeting: Meeting, logged: bool) -> bool:
    """A post-meeting prompt is wanted: loggable, or it names one of the user's people."""
    if logged:
        return False
    if is_loggable(meeting):
        return True
    return bool(not meeting.has_others and named_in_title(meeting) and _could_be_logged(meeting))


def confirm_from_log(user_id: int, meeting_id: int | None, contact_ids: list[int]) -> None:
    """A log for a title-named meeting, with the named person, confirms that person."""
    if meeting_id is None or not contact_ids:
        return
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, Meeting.user_id == user_id)
    )
    if meeting is None:
        return
    for attendee in list(meeting.attendees):
        if attendee.role != SUGGESTED_ROLE or attendee.contact_id is not None:
            continue
        if attendee.suggested_contact_id in contact_ids:
            contact = db.session.get(Contact, attendee.suggested_contact_id)
            if contact is not None and contact.user_id == user_id:
                confirm_attendee(user_id, meeting, attendee, contact)


def meeting_rows_needing_log(user_id: int, now: datetime, since: datetime) -> Any:
    """SELECT of the user's meetings that need a log and ended after `since`."""
    return select(Meeting).where(needs_log_clause(user_id, now), Meeting.end_at > since)

