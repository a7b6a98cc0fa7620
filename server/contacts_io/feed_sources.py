"""Gather what the outgoing feed shows for one user from the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Contact, User
from .feed import Birthday, FeedItem, build_feed, local_today

# Features with dated reminders (follow-ups, check-ins, promises) register a source here:
# source(user, contacts_by_id, today, base_url) -> list[FeedItem].
ItemSource = Callable[[User, dict[int, Contact], date, str], list[FeedItem]]
ITEM_SOURCES: list[ItemSource] = []


def keep_in_touch_items(
    user: User, contacts: dict[int, Contact], today: date, base_url: str, now: datetime
) -> list[FeedItem]:
    """When each contact with a cadence is next due; overdue people show on today."""
    from ..logbook.stats import contact_stats

    with_cadence = [c.id for c in contacts.values() if c.cadence_days]
    stats = contact_stats(user, with_cadence, now) if with_cadence else {}
    items = []
    for contact_id in with_cadence:
        due = _as_date(stats.get(contact_id, {}).get("next_due_on"))
        if due is None:
            continue
        contact = contacts[contact_id]
        if due < today:
            summary, on = f"Overdue: get in touch with {contact.name}", today
        else:
            summary, on = f"Keep in touch with {contact.name}", due
        items.append(
            FeedItem(
                uid=f"keep-in-touch-{contact_id}",
                on=on,
                summary=summary,
                description=f"Due {due.isoformat()} (every {contact.cadence_days} days).",
                url=f"{base_url}/people/{contact_id}",
            )
        )
    return items


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def user_feed(user: User, now: datetime, base_url: str) -> bytes:
    """The ICS document for GET /calendar/<secret>.ics."""
    contacts = {
        c.id: c
        for c in db.session.scalars(
            select(Contact).where(Contact.user_id == user.id).order_by(Contact.id)
        )
    }
    today = local_today(now, user.timezone)
    birthdays = [
        Birthday(c.id, c.name, c.birthday, f"{base_url}/people/{c.id}")
        for c in contacts.values()
        if c.birthday
    ]
    items = keep_in_touch_items(user, contacts, today, base_url, now)
    for source in ITEM_SOURCES:
        items.extend(source(user, contacts, today, base_url))
    name = f"Rapport — {user.name}" if user.name else "Rapport"
    return build_feed(name, birthdays, items, now)
