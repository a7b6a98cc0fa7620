"""Friendship's figures that one statement cannot give: birthdays celebrated and greeted in
the user's zone; and timestamps from raw statements made aware on both databases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Contact, User, UTCDateTime
from ...models.interactions import InteractionContact
from ..birthdays import birthday_condition, occurrence_between
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


def birthday_figures(
    user: User, start: datetime, now: datetime, today: date, first: date
) -> tuple[int, int]:
    """Birthdays celebrated from `first` to `today`, and how many were greeted.

    Greeted: a log with them on the day or the day before, in the user's zone, i.e. between
    the starts of the day before and of the day after (UTC instants).
    """
    people = db.session.execute(
        select(Contact.id, Contact.birthday_month, Contact.birthday_day).where(
            Contact.user_id == user.id, birthday_condition(first, today)
        )
    ).all()
    celebrated = {
        p.id: day
        for p in people
        if (day := occurrence_between(p.birthday_month, p.birthday_day, first, today))
    }
    if not celebrated:
        return 0, 0
    zone = user_zone(user)
    starts = {
        day: day_start(zone, day)
        for day in {d + timedelta(days=shift) for d in celebrated.values() for shift in (-1, 1)}
    }
    spans = {
        contact_id: (starts[day - timedelta(days=1)], starts[day + timedelta(days=1)])
        for contact_id, day in celebrated.items()
    }
    link = InteractionContact
    pairs = db.session.execute(
        select(link.contact_id, link.occurred_at).where(
            link.user_id == user.id,
            link.contact_id.in_(sorted(celebrated)),
            link.occurred_at > start - timedelta(days=2),
            link.occurred_at <= now,
        )
    )
    seen: set[int] = set()
    for contact_id, occurred_at in pairs:
        span = spans.get(contact_id)
        if span is not None and span[0] <= occurred_at < span[1]:
            seen.add(contact_id)
    return len(celebrated), len(seen)
