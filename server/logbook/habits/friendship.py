"""Friendship's figures that one statement cannot give: birthdays celebrated and greeted in
the user's zone; and timestamps from raw statements made aware on both databases."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, bindparam, case, column, exists, func, select, text

from ...extensions import db
from ...models import Contact, User, UTCDateTime
from ...models.interactions import InteractionContact
from ..clock import day_start, local_date, user_zone


def as_utc(value: Any) -> datetime | None:
    """A timestamp read by a raw statement, as aware UTC on both databases."""
    if value is None:
        return None
    return UTCDateTime().process_result_value(value, db.engine.dialect)


def friendship_first_day(user: User, start: datetime, today: date) -> date:
    """The first day whose birthdays and wins count: the window's, at most a year back."""
    first = local_date(user, start) + timedelta(days=1)
    first = min(first, today)
    if (today - first).days >= 365:
        first = today - timedelta(days=364)
    return first


# One row per day of at most a year, and 29 February. The statement comes in a few fixed
# sizes (rows beyond the span match no birthday), each built and compiled once, not per
# request; the smallest that holds the span is used, so a short window binds few values
# (each row binds four, and binding is most of the statement's cost for a small account):
# 96 holds the default 90-day window.
SPAN_SIZES = (32, 64, 96, 128, 192, 367)


@cache
def _birthday_statement(size: int) -> Any:
    """Birthdays celebrated on the days listed, and those with a log in their greeting span
    (built on first use: the largest binds 1,468 values, which a process that never shows
    Habits for a year-long window need not hold).

    The days are a VALUES list (both databases name its columns column1, column2, ...): one
    node to plan, where a union of as many one-row selects costs PostgreSQL tens of ms.
    """
    rows = ", ".join(
        "(" + ", ".join(f":{name}_{n}" for name, _ in _SPAN_COLUMNS) + ")" for n in range(size)
    )
    names = ", ".join(f"column{n} AS {name}" for n, (name, _) in enumerate(_SPAN_COLUMNS, 1))
    days = (
        text(f"SELECT {names} FROM (VALUES {rows}) AS listed")  # noqa: S608 - no values inside
        .bindparams(
            *(bindparam(f"{name}_{n}", type_=kind) for n in range(size) for name, kind in _SPAN_COLUMNS)
        )
        .columns(*(column(name, kind) for name, kind in _SPAN_COLUMNS))
        .cte("days")
    )
    link = InteractionContact
    user_id = bindparam("user_id", type_=Integer())
    greeted = exists().where(
        link.user_id == user_id,
        link.contact_id == Contact.id,
        link.occurred_at >= days.c.opens,
        link.occurred_at < days.c.closes,
        link.occurred_at > bindparam("after", type_=UTCDateTime()),
        link.occurred_at <= bindparam("now", type_=UTCDateTime()),
    )
    return (
        select(func.count().label("birthdays"), func.count(case((greeted, 1))).label("greeted"))
        .select_from(Contact)
        .join(days, and_(Contact.birthday_month == days.c.month, Contact.birthday_day == days.c.day))
        .where(Contact.user_id == user_id)
    )


_SPAN_COLUMNS = (
    ("month", Integer()), ("day", Integer()), ("opens", UTCDateTime()), ("closes", UTCDateTime()),
)


def birthday_figures(
    user: User, start: datetime, now: datetime, today: date, first: date
) -> tuple[int, int]:
    """Birthdays celebrated from `first` to `today`, and how many were greeted, in one statement.

    Greeted: a log with them on the day or the day before, in the user's zone, i.e. between
    the starts of the day before and of the day after (UTC instants). Each day of the span
    is a row (month, day, those two instants) the contacts are joined to by their birthday,
    so the database answers both counts from the birthday and link indexes.
    """
    spans = _greeting_spans(user_zone(user), first, today)
    if not spans:
        return 0, 0
    unused = (0, 0, start, start)  # month 0: nobody's birthday
    params: dict[str, Any] = {"user_id": user.id, "after": start - timedelta(days=2), "now": now}
    size = next(size for size in SPAN_SIZES if size >= len(spans))
    for n, row in enumerate(spans + [unused] * (size - len(spans))):
        params.update({f"{name}_{n}": value for (name, _), value in zip(_SPAN_COLUMNS, row, strict=True)})
    row = db.session.execute(_birthday_statement(size), params).one()
    return int(row.birthdays), int(row.greeted)


def _greeting_spans(zone: ZoneInfo, first: date, last: date) -> list[tuple[int, int, datetime, datetime]]:
    """(month, day, start of the day before, start of the day after) for each birthday
    celebrated from `first` to `last` (≤ 1 year): 29 February on 28 February in other years.
    Each day's start is computed once, for the spans of the day before and the day after."""
    count = (last - first).days + 1
    starts = [day_start(zone, first + timedelta(days=n - 1)) for n in range(count + 2)]
    spans = []
    for n in range(count):
        day, span = first + timedelta(days=n), (starts[n], starts[n + 2])
        spans.append((day.month, day.day, *span))
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            spans.append((2, 29, *span))
    return spans
