"""Gather what the outgoing feed shows for one user from the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..logbook.clock import local_today
from ..models import Contact, User
from .feed import Birthday, FeedItem, build_feed

ItemSource = Callable[[User, dict[int, Contact], date, str], list[FeedItem]]


def keep_in_touch_items(
    user: User, contacts: dict[int, Contact], today: date, base_url: str, now: datetime
) -> list[FeedItem]:
    """When each contact is next due by their cadence; overdue people show on today."""
    from ..logbook.stats import contact_stats

    stats = contact_stats(user, list(contacts), now) if contacts else {}
    items = []
    for contact_id, contact in contacts.items():
        due = _as_date((stats.get(contact_id) or {}).get("next_due_on"))
        if due is None:
            continue
        if due < today:
            summary, on = f"Overdue: get in touch with {contact.name}", today
        else:
            summary, on = f"Keep in touch with {contact.name}", due
        items.append(
            FeedItem(
                uid=f"keep-in-touch-{contact_id}",
                on=on,
                summary=summary,
                description=f"Due {due.isoformat()}.",
                url=f"{base_url}/people/{contact_id}",
            )
        )
    return items


def _names(contacts: dict[int, Contact], ids: list[int]) -> str:
    names = [contacts[i].name for i in ids if i in contacts]
    return ", ".join(names) or "someone"


def _on_or_today(due: date, today: date) -> date:
    """Past-due reminders show on today, where a calendar user will see them."""
    return max(due, today)


def log_items(user: User, contacts: dict[int, Contact], today: date, base_url: str) -> list[FeedItem]:
    """Open follow-ups, challenge check-ins and promises with a due date."""
    from ..models import interactions as models

    items: list[FeedItem] = []
    follow_ups = db.session.scalars(
        select(models.Interaction).where(
            models.Interaction.user_id == user.id,
            models.Interaction.follow_up_on.is_not(None),
            models.Interaction.follow_up_done_at.is_(None),
        )
    )
    for row in follow_ups:
        due = row.follow_up_due_on
        if due is None:
            continue
        items.append(
            FeedItem(
                uid=f"follow-up-{row.id}",
                on=_on_or_today(due, today),
                summary=f"Follow up with {_names(contacts, row.contact_ids)}",
                description=(row.notes or "")[:500],
                url=f"{base_url}/log?interaction={row.uuid}",
            )
        )
    check_ins = db.session.scalars(
        select(models.Challenge).where(
            models.Challenge.user_id == user.id,
            models.Challenge.check_in_on.is_not(None),
            models.Challenge.resolved_at.is_(None),
        )
    )
    for challenge in check_ins:
        if challenge.check_in_on is None:
            continue
        items.append(
            FeedItem(
                uid=f"check-in-{challenge.id}",
                on=_on_or_today(challenge.check_in_on, today),
                summary=f"Check in with {_names(contacts, [challenge.contact_id])}",
                description=challenge.text[:500],
                url=f"{base_url}/people/{challenge.contact_id}",
            )
        )
    promises = db.session.scalars(
        select(models.GiveTakeItem).where(
            models.GiveTakeItem.user_id == user.id,
            models.GiveTakeItem.promised.is_(True),
            models.GiveTakeItem.delivered_at.is_(None),
            models.GiveTakeItem.due_on.is_not(None),
        )
    )
    for promise in promises:
        if promise.due_on is None:
            continue
        who = [promise.contact_id] if promise.contact_id else []
        items.append(
            FeedItem(
                uid=f"promise-{promise.id}",
                on=_on_or_today(promise.due_on, today),
                summary=f"Promised: {promise.category}" + (f" for {_names(contacts, who)}" if who else ""),
                description=promise.note or "",
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
        for c in db.session.scalars(select(Contact).where(Contact.user_id == user.id).order_by(Contact.id))
    }
    today = local_today(user, now)
    birthdays = [
        Birthday(c.id, c.name, c.birthday, f"{base_url}/people/{c.id}")
        for c in contacts.values()
        if c.birthday
    ]
    items = keep_in_touch_items(user, contacts, today, base_url, now)
    items += log_items(user, contacts, today, base_url)
    name = f"Rapport — {user.name}" if user.name else "Rapport"
    return build_feed(name, birthdays, items, now)
