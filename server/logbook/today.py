"""The Today screen: everything that wants the user's attention today, each list capped.

Lists: meetings today and past meetings still to log,
birthdays in the next 14 days, people overdue to keep in touch (ranked by how many of their
cadences have passed), core people overdue for face time, follow-ups and check-ins due, wins
to congratulate, open promises (overdue first), and "give first": people I received more
from than I gave to over the last 12 months. Each list is `{items, total}`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select, union_all

from ..calendars.log_rule import logged_meeting_ids, needs_log_clause
from ..calendars.service import meeting_view
from ..extensions import db
from ..models import Contact, User
from ..models.balances import SUMS, balance_window, kept_holds, kept_lapsed, summed
from ..models.calendars import Meeting
from .birthdays import birthday_condition, birthday_row, occurrence_between
from .bound import NOW, TODAY, USER_ID, instant
from .cadence import user_cadences
from .challenges import challenge_list_query, challenge_row
from .clock import day_bounds, local_today, user_zone
from .follow_ups import follow_up_list_query, follow_up_row
from .lapsed import lapsed_people
from .promises import promise_list_query, promise_rows
from .reading import attach_people, capped, contact_names, counted_total
from .wins import win_list_query, win_row

BIRTHDAY_DAYS = 14
UNLOGGED_MEETING_DAYS = 14
DEFAULT_CAP = 10


def build_today(user: User, now: datetime, cap: int = DEFAULT_CAP) -> dict[str, Any]:
    """Every Today list for `user` at `now`, each capped at `cap` items with its total."""
    today = local_today(user, now)
    by_kind, cadences = user_cadences(user)
    meetings_today, meetings_to_log = meeting_lists(user, now, today, cap)
    return {
        "date": today,
        "timezone": user.timezone,
        "meetings_today": meetings_today,
        "meetings_to_log": meetings_to_log,
        "birthdays": upcoming_birthdays(user, today, cap),
        "overdue": lapsed_people("overdue", user, now, today, by_kind, cap, cadences),
        "face_time": lapsed_people("face_time", user, now, today, by_kind, cap, cadences),
        "follow_ups": follow_ups_due(user, today, cap),
        "check_ins": check_ins_due(user, today, cap),
        "wins": wins_to_congratulate(user, cap),
        "promises": open_promises(user, today, cap),
        "give_first": give_first(user, now, cap),
    }


def _block(items: list[Any], total: int | None) -> dict[str, Any]:
    return {"items": items, "total": total}


# Today's statements are kept (see .bound), one for each list and cap.
_DAY_START, _DAY_END = instant("day_start"), instant("day_end")
_UNLOGGED_SINCE = instant("unlogged_since")
_BALANCE_SINCE, _BALANCE_UNTIL = instant("balance_since"), instant("balance_until")


def _capped(build: Callable[[], Any]) -> Callable[[int], Any]:
    """A list's statement: its first `cap` rows with its total (`reading.capped`)."""
    return lambda cap: capped(build(), cap)


def _give_first_statement(cap: int) -> Any:
    """People owed, biggest gap first, with their names and how many there are: the kept
    12-month sums of the people whose sums hold (read through the balance index), the links'
    of the others (see models.balances), summed once each (MATERIALIZED: SQLite otherwise
    folds the sums into every place that names them)."""
    person = (Contact.id.label("contact_id"), Contact.name, Contact.last_interaction_at)
    kept = select(
        *person, *(column.label(name) for name, (column, _) in SUMS.items())
    ).where(Contact.user_id == USER_ID, Contact.balance < 0, kept_holds(NOW))
    lapsed = (
        select(*person, *(summed(name, _BALANCE_SINCE, _BALANCE_UNTIL).label(name) for name in SUMS))
        .where(Contact.user_id == USER_ID, kept_lapsed(NOW))
        .cte("lapsed")
        .prefix_with("MATERIALIZED")
    )
    owed = union_all(kept, select(lapsed).where(lapsed.c.received > lapsed.c.gave)).subquery()
    return capped(select(owed).order_by(owed.c.gave - owed.c.received, owed.c.contact_id), cap)


_STATEMENTS: dict[str, Callable[[int], Any]] = {
    "meetings_today": _capped(lambda: select(Meeting).where(
        Meeting.user_id == USER_ID, Meeting.status != "cancelled",
        Meeting.start_at < _DAY_END, Meeting.end_at > _DAY_START,
    ).order_by(Meeting.start_at, Meeting.id)),
    "meetings_to_log": _capped(lambda: select(Meeting).where(
        needs_log_clause(USER_ID, NOW), Meeting.end_at > _UNLOGGED_SINCE,
    ).order_by(Meeting.end_at.desc(), Meeting.id)),
    "follow_ups": _capped(lambda: follow_up_list_query(USER_ID, TODAY)),
    "check_ins": _capped(lambda: challenge_list_query(USER_ID, None, True, check_in_due_on=TODAY)),
    "wins": _capped(lambda: win_list_query(USER_ID, None, True)),
    "promises": _capped(lambda: promise_list_query(USER_ID, TODAY)),
    "give_first": _give_first_statement,
}


@lru_cache(maxsize=128)
def _statement(name: str, cap: int) -> Any:
    return _STATEMENTS[name](cap)


def _first_rows(name: str, values: dict[str, Any], cap: int) -> tuple[list[Any], int]:
    """The first `cap` rows of list `name` with these bound values, and its total."""
    rows = db.session.execute(_statement(name, cap), values).all()
    return list(rows), counted_total(rows)


def meeting_lists(
    user: User, now: datetime, today: date, cap: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Meetings today (with their log status) and ended meetings with others still to log."""
    start, end = day_bounds(user_zone(user), today, today)
    values = {
        "user_id": user.id, "now": now, "day_start": start, "day_end": end,
        "unlogged_since": now - timedelta(days=UNLOGGED_MEETING_DAYS),
    }
    lists = [_first_rows(name, values, cap) for name in ("meetings_today", "meetings_to_log")]
    # Both lists' log status and attendees' names in one lookup each (a meeting can be in both).
    meetings = [row[0] for rows, _ in lists for row in rows]
    logged = logged_meeting_ids(user.id, sorted({m.id for m in meetings}))
    names = contact_names(user.id, {
        cid
        for m in meetings
        for a in m.attendees
        for cid in (a.contact_id, a.suggested_contact_id)
        if cid
    })
    today_block, to_log_block = (
        _block([meeting_view(row[0], row[0].id in logged, names, now) for row in rows], total)
        for rows, total in lists
    )
    return today_block, to_log_block


@lru_cache(maxsize=16)
def _birthdays_statement(first: date, last: date) -> Any:
    """Contacts whose birthday falls from `first` to `last`: one statement a span, shared by
    every user whose day it is."""
    return select(
        Contact.id, Contact.name, Contact.birthday_year, Contact.birthday_month,
        Contact.birthday_day,
    ).where(Contact.user_id == USER_ID, birthday_condition(first, last))


def upcoming_birthdays(user: User, today: date, cap: int, days: int = BIRTHDAY_DAYS) -> dict[str, Any]:
    """Birthdays from today to `days` days ahead, soonest first."""
    last = today + timedelta(days=days)
    contacts = db.session.execute(_birthdays_statement(today, last), {"user_id": user.id}).all()
    rows = []
    for contact in contacts:
        celebrated = occurrence_between(contact.birthday_month, contact.birthday_day, today, last)
        if celebrated is not None:
            rows.append(birthday_row(contact, today, celebrated))
    rows.sort(key=lambda row: (row["on"], row["contact"]["name"].lower(), row["contact"]["id"]))
    return _block(rows[:cap], len(rows))


def follow_ups_due(user: User, today: date, cap: int) -> dict[str, Any]:
    """Follow-ups due today or earlier, oldest due first."""
    rows, total = _first_rows("follow_ups", {"user_id": user.id, "today": today}, cap)
    items = attach_people(user.id, [row[0] for row in rows])
    return _block([follow_up_row(i, today) for i in items], total)


def check_ins_due(user: User, today: date, cap: int) -> dict[str, Any]:
    """Open challenges whose check-in day has come."""
    rows, total = _first_rows("check_ins", {"user_id": user.id, "today": today}, cap)
    return _block([challenge_row(c, name, uuid, today) for c, name, uuid, _ in rows], total)


def wins_to_congratulate(user: User, cap: int) -> dict[str, Any]:
    """Wins not yet congratulated, newest first."""
    rows, total = _first_rows("wins", {"user_id": user.id}, cap)
    return _block([win_row(win, name) for win, name, _ in rows], total)


def open_promises(user: User, today: date, cap: int) -> dict[str, Any]:
    """Promises not yet delivered, overdue first."""
    rows, total = _first_rows("promises", {"user_id": user.id, "today": today}, cap)
    return _block(promise_rows(user, [tuple(row[:3]) for row in rows], today), total)


def give_first(user: User, now: datetime, cap: int) -> dict[str, Any]:
    """People I received more from than I gave to over 12 months, biggest gap first."""
    since, until = balance_window(now)
    values = {"user_id": user.id, "now": now, "balance_since": since, "balance_until": until}
    rows, total = _first_rows("give_first", values, cap)
    items = [
        {
            "contact": {"id": row.contact_id, "name": row.name},
            "gave": int(row.gave),
            "received": int(row.received),
            "balance": int(row.gave) - int(row.received),
            "last_interaction_at": row.last_interaction_at,
        }
        for row in rows
    ]
    return _block(items, total)
