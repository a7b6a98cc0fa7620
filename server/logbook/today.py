"""The Today screen: everything that wants the user's attention today, each list capped.

Lists: meetings today and past meetings still to log,
birthdays in the next 14 days, people overdue to keep in touch (ranked by how many of their
cadences have passed), core people overdue for face time, follow-ups and check-ins due, wins
to congratulate, open promises (overdue first), and "give first": people I received more
from than I gave to over the last 12 months. Each list is `{items, total}`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, not_, select

from ..calendars.log_rule import logged_meeting_ids, needs_log_clause
from ..calendars.service import meeting_view
from ..extensions import db
from ..models import Contact, User
from ..models.calendars import Meeting
from ..models.interactions import InteractionContact
from .birthdays import birthday_condition, birthday_row, occurrence_between
from .cadence import (
    CORE_KINDS,
    cadence_by_kind,
    cadence_of,
    due_on,
    known_cadences,
    lapse_ratio_expr,
    lapsed_condition,
    overdue_days,
)
from .challenges import challenge_list_query, challenge_row
from .clock import day_bounds, local_today, user_zone
from .follow_ups import follow_up_list_query, follow_up_row
from .promises import promise_list_query, promise_rows
from .reading import attach_people, contact_names
from .stats import give_take_counts
from .wins import win_list_query, win_row

BIRTHDAY_DAYS = 14
UNLOGGED_MEETING_DAYS = 14
DEFAULT_CAP = 10


def build_today(user: User, now: datetime, cap: int = DEFAULT_CAP) -> dict[str, Any]:
    """Every Today list for `user` at `now`, each capped at `cap` items with its total."""
    today = local_today(user, now)
    by_kind = cadence_by_kind(user)
    cadences = known_cadences(user, by_kind)
    meetings_today, meetings_to_log = meeting_lists(user, now, today, cap)
    return {
        "date": today,
        "timezone": user.timezone,
        "meetings_today": meetings_today,
        "meetings_to_log": meetings_to_log,
        "birthdays": upcoming_birthdays(user, today, cap),
        "overdue": overdue_people(user, now, today, by_kind, cap, cadences),
        "face_time": face_time_people(user, now, today, by_kind, cap, cadences),
        "follow_ups": follow_ups_due(user, today, cap),
        "check_ins": check_ins_due(user, today, cap),
        "wins": wins_to_congratulate(user, cap),
        "promises": open_promises(user, today, cap),
        "give_first": give_first(user, now, cap),
    }


def _count(stmt: Select[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _block(items: list[Any], total: int) -> dict[str, Any]:
    return {"items": items, "total": total}


def _first_rows(stmt: Any, cap: int) -> tuple[list[Any], int]:
    """The first `cap` rows of `stmt` and how many rows it has in all, in one query.

    The total is a window count over the whole result, added as the rows' last column.
    """
    rows = db.session.execute(
        stmt.add_columns(func.count().over().label("total_rows")).limit(cap)
    ).all()
    return list(rows), int(rows[0].total_rows) if rows else 0


def meeting_lists(
    user: User, now: datetime, today: date, cap: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Meetings today (with their log status) and ended meetings with others still to log."""
    start, end = day_bounds(user_zone(user), today, today)
    todays = select(Meeting).where(
        Meeting.user_id == user.id, Meeting.status != "cancelled",
        Meeting.start_at < end, Meeting.end_at > start,
    )
    to_log = select(Meeting).where(
        needs_log_clause(user.id, now),
        Meeting.end_at > now - timedelta(days=UNLOGGED_MEETING_DAYS),
    )
    return (
        _meeting_block(user, todays.order_by(Meeting.start_at, Meeting.id), cap, now),
        _meeting_block(user, to_log.order_by(Meeting.end_at.desc(), Meeting.id), cap, now),
    )


def _meeting_block(user: User, stmt: Select[Any], cap: int, now: datetime) -> dict[str, Any]:
    meetings = list(db.session.scalars(stmt.limit(cap)))
    total = _count(stmt) if len(meetings) == cap else len(meetings)
    logged = logged_meeting_ids(user.id, [m.id for m in meetings])
    ids = {
        cid
        for m in meetings
        for a in m.attendees
        for cid in (a.contact_id, a.suggested_contact_id)
        if cid
    }
    names = contact_names(user.id, ids)
    return _block([meeting_view(m, m.id in logged, names, now) for m in meetings], total)


def upcoming_birthdays(user: User, today: date, cap: int, days: int = BIRTHDAY_DAYS) -> dict[str, Any]:
    """Birthdays from today to `days` days ahead, soonest first."""
    last = today + timedelta(days=days)
    contacts = db.session.execute(
        select(
            Contact.id, Contact.name, Contact.birthday_year, Contact.birthday_month,
            Contact.birthday_day,
        ).where(Contact.user_id == user.id, birthday_condition(today, last))
    ).all()
    rows = []
    for contact in contacts:
        celebrated = occurrence_between(contact.birthday_month, contact.birthday_day, today, last)
        if celebrated is not None:
            rows.append(birthday_row(contact, today, celebrated))
    rows.sort(key=lambda row: (row["on"], row["contact"]["name"].lower(), row["contact"]["id"]))
    return _block(rows[:cap], len(rows))


def _lapsed_block(
    user: User,
    now: datetime,
    today: date,
    by_kind: dict[str, int],
    clock: Any,
    conditions: list[Any],
    cap: int,
) -> dict[str, Any]:
    stmt = select(
        Contact.id, Contact.name, Contact.kind, Contact.cadence_days, Contact.created_at,
        Contact.last_interaction_at, Contact.last_in_person_at,
    ).where(Contact.user_id == user.id, *conditions)
    rows, total = _first_rows(
        stmt.order_by(lapse_ratio_expr(now, clock, by_kind).desc(), Contact.id), cap
    )
    items = []
    for row in rows:
        cadence = cadence_of(row.kind, row.cadence_days, by_kind)
        started = getattr(row, clock.key) or row.created_at
        due = due_on(user, started, cadence)
        late = overdue_days(today, due)
        items.append(
            {
                "contact": {"id": row.id, "name": row.name},
                "kind": row.kind,
                "cadence_days": cadence,
                "last_interaction_at": row.last_interaction_at,
                "last_in_person_at": row.last_in_person_at,
                "due_on": due,
                "overdue_days": late,
                "overdue_ratio": round(late / cadence, 2),
            }
        )
    return _block(items, total)


def overdue_people(
    user: User,
    now: datetime,
    today: date,
    by_kind: dict[str, int],
    cap: int,
    cadences: set[int] | None = None,
) -> dict[str, Any]:
    """People whose keep-in-touch cadence has lapsed, most lapsed relative to cadence first."""
    clock = Contact.last_interaction_at
    lapsed = lapsed_condition(user, today, clock, by_kind, cadences)
    return _lapsed_block(user, now, today, by_kind, clock, [lapsed], cap)


def face_time_people(
    user: User,
    now: datetime,
    today: date,
    by_kind: dict[str, int],
    cap: int,
    cadences: set[int] | None = None,
) -> dict[str, Any]:
    """Core people (not 'other') not met in person within their cadence, though in touch."""
    clock = Contact.last_in_person_at
    if cadences is None:
        cadences = known_cadences(user, by_kind)
    conditions = [
        Contact.kind.in_(CORE_KINDS),
        lapsed_condition(user, today, clock, by_kind, cadences),
        not_(lapsed_condition(user, today, Contact.last_interaction_at, by_kind, cadences)),
    ]
    return _lapsed_block(user, now, today, by_kind, clock, conditions, cap)


def follow_ups_due(user: User, today: date, cap: int) -> dict[str, Any]:
    """Follow-ups due today or earlier, oldest due first."""
    rows, total = _first_rows(follow_up_list_query(user, today), cap)
    items = attach_people(user.id, [row[0] for row in rows])
    return _block([follow_up_row(i, today) for i in items], total)


def check_ins_due(user: User, today: date, cap: int) -> dict[str, Any]:
    """Open challenges whose check-in day has come."""
    rows, total = _first_rows(challenge_list_query(user, None, True, check_in_due_on=today), cap)
    return _block([challenge_row(c, name, uuid, today) for c, name, uuid, _ in rows], total)


def wins_to_congratulate(user: User, cap: int) -> dict[str, Any]:
    """Wins not yet congratulated, newest first."""
    rows, total = _first_rows(win_list_query(user, None, True), cap)
    return _block([win_row(win, name) for win, name, _ in rows], total)


def open_promises(user: User, today: date, cap: int) -> dict[str, Any]:
    """Promises not yet delivered, overdue first."""
    rows, total = _first_rows(promise_list_query(user, today), cap)
    return _block(promise_rows(user, [tuple(row[:3]) for row in rows], today), total)


def give_first(user: User, now: datetime, cap: int) -> dict[str, Any]:
    """People I received more from than I gave to over 12 months, biggest gap first."""
    link = InteractionContact
    gave, received = func.sum(link.gave_count), func.sum(link.received_count)
    owed = (
        give_take_counts(user, now)
        .having(received > gave)
        .add_columns(func.count().over().label("total_rows"))
        .order_by(gave - received, link.contact_id)
        .limit(cap)
        .subquery()
    )
    rows = db.session.execute(
        select(owed, Contact.id.label("known_id"), Contact.name, Contact.last_interaction_at)
        .outerjoin(Contact, and_(Contact.id == owed.c.contact_id, Contact.user_id == user.id))
        .order_by(owed.c.gave - owed.c.received, owed.c.contact_id)
    ).all()
    items = [
        {
            "contact": {"id": row.contact_id, "name": row.name},
            "gave": int(row.gave),
            "received": int(row.received),
            "balance": int(row.gave) - int(row.received),
            "last_interaction_at": row.last_interaction_at,
        }
        for row in rows
        if row.known_id is not None
    ]
    return _block(items, int(rows[0].total_rows) if rows else 0)
