"""Birthdays: which fall in a span of days, in the user's calendar; 29 February handled."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

from ..models import Contact


def birthday_in(year: int, month: int, day: int) -> date:
    """The day a birthday is celebrated in `year` (29 February → 28 February in other years)."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def birthday_condition(first: date, last: date) -> ColumnElement[bool]:
    """SQL: the contact's birthday is celebrated on a day from `first` to `last` (≤ 1 year)."""
    days_by_month: dict[int, set[int]] = {}
    day = first
    while day <= last:
        days_by_month.setdefault(day.month, set()).add(day.day)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            days_by_month[2].add(29)
        day += timedelta(days=1)
    if not days_by_month:
        return false()
    return or_(
        *(
            and_(Contact.birthday_month == month, Contact.birthday_day.in_(sorted(days)))
            for month, days in sorted(days_by_month.items())
        )
    )


def occurrence_between(month: int, day: int, first: date, last: date) -> date | None:
    """The celebrated day of a birthday within [first, last], if any."""
    for year in range(first.year, last.year + 1):
        celebrated = birthday_in(year, month, day)
        if first <= celebrated <= last:
            return celebrated
    return None


def birthday_row(contact: Any, today: date, celebrated: date) -> dict[str, Any]:
    """A birthday as the API shows it: the day, how far off, and the age when the year is known."""
    return {
        "contact": {"id": contact.id, "name": contact.name},
        "on": celebrated,
        "days_until": (celebrated - today).days,
        "age": celebrated.year - contact.birthday_year if contact.birthday_year else None,
    }
