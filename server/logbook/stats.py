"""Per-contact figures: give/take over the last 12 months, last contact, next due, overdue.

`gave` counts what I gave except promises not yet delivered; `received` counts what I
received; `balance` is gave - received (negative: I owe them). An item aimed at one person
(`contact_id` set) counts for that person only; otherwise for everyone in the interaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from ..extensions import db
from ..models import Contact, User
from ..models.balances import balance_window
from ..models.interactions import InteractionContact
from .bound import USER_ID, instant
from .cadence import cadence_by_kind, cadence_of, due_on, lapsed_condition, overdue_days
from .clock import local_today


def give_take_counts(user_id: Any, since: Any, until: Any) -> Select[int, int, int]:
    """SELECT contact_id, gave, received over [since, until] (values, or bound parameters for
    a statement kept; see `balance_window`), grouped by contact."""
    link = InteractionContact
    return (
        select(
            link.contact_id,
            func.sum(link.gave_count).label("gave"),
            func.sum(link.received_count).label("received"),
        )
        .where(
            link.user_id == user_id,
            link.occurred_at >= since,
            link.occurred_at <= until,
        )
        .group_by(link.contact_id)
    )


# Give and take of the contacts asked for, kept as one statement (see .bound).
_COUNTS_OF_CONTACTS = give_take_counts(
    USER_ID, instant("balance_since"), instant("balance_until")
).where(InteractionContact.contact_id.in_(bindparam("contact_ids", expanding=True)))


def contact_stats(user: User, contact_ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Stats for each contact id: gave, received, balance, last interaction, next due, overdue."""
    if not contact_ids:
        return {}
    rows = db.session.execute(
        select(
            Contact.id,
            Contact.kind,
            Contact.cadence_days,
            Contact.created_at,
            Contact.last_interaction_at,
            Contact.last_in_person_at,
        ).where(Contact.user_id == user.id, Contact.id.in_(contact_ids))
    ).all()
    return stats_of(user, rows, now)


def stats_of(user: User, contacts: Sequence[Any], now: datetime) -> dict[int, dict[str, Any]]:
    """Stats for contacts already loaded (objects or rows with the clock columns), by id."""
    if not contacts:
        return {}
    since, until = balance_window(now)
    values = {"user_id": user.id, "balance_since": since, "balance_until": until,
              "contact_ids": [c.id for c in contacts]}
    counts = {
        row.contact_id: (int(row.gave or 0), int(row.received or 0))
        for row in db.session.execute(_COUNTS_OF_CONTACTS, values)
    }
    by_kind = cadence_by_kind(user)
    today = local_today(user, now)
    stats: dict[int, dict[str, Any]] = {}
    for row in contacts:
        gave, received = counts.get(row.id, (0, 0))
        due = due_on(
            user,
            row.last_interaction_at or row.created_at,
            cadence_of(row.kind, row.cadence_days, by_kind),
        )
        stats[row.id] = {
            "gave": gave,
            "received": received,
            "balance": gave - received,
            "last_interaction_at": row.last_interaction_at,
            "last_in_person_at": row.last_in_person_at,
            "next_due_on": due,
            "overdue_days": overdue_days(today, due),
        }
    return stats


def filter_overdue(stmt: Select[Any], user: User, now: datetime) -> Select[Any]:
    """Restrict a contacts query to people overdue by their keep-in-touch cadence."""
    return stmt.where(
        lapsed_condition(
            user, local_today(user, now), Contact.last_interaction_at, cadence_by_kind(user)
        )
    )
