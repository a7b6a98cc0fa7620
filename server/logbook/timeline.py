"""The Person screen in one call: the card with stats, the log, and what is open with them."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

from ..contacts import attach_stats, get_contact
from ..extensions import db
from ..models import User
from ..models.interactions import Interaction, InteractionContact
from .birthdays import birthday_row, occurrence_between
from .bound import CONTACT_ID, TODAY, USER_ID
from .challenges import challenge_list_query, challenge_row
from .clock import local_today
from .follow_ups import follow_up_list_query, follow_up_row
from .promises import promise_list_query, promise_rows
from .reading import attach_people
from .wins import win_list_query, win_row

OPEN_ITEMS_CAP = 50


def build_timeline(
    user: User, contact_id: int, now: datetime, page: int, per_page: int
) -> dict[str, Any]:
    """The contact, a page of their log (newest first) and their open items."""
    contact = attach_stats(user, [get_contact(user, contact_id)], now)[0]
    today = local_today(user, now)
    logs, total = _log_page(user, contact.id, page, per_page)
    values = {"user_id": user.id, "contact_id": contact.id, "today": today}
    challenges = db.session.execute(_OPEN_ITEMS["challenges"], values).all()
    wins = db.session.execute(_OPEN_ITEMS["wins"], values).all()
    promises = db.session.execute(_OPEN_ITEMS["promises"], values).all()
    follow_ups = list(db.session.scalars(_OPEN_ITEMS["follow_ups"], values))
    attach_people(user.id, logs + follow_ups)  # every name on the screen in one query
    next_birthday = None
    if contact.birthday_month and contact.birthday_day:
        celebrated = occurrence_between(
            contact.birthday_month, contact.birthday_day, today, today + timedelta(days=366)
        )
        if celebrated is not None:
            next_birthday = birthday_row(contact, today, celebrated)
    return {
        "contact": contact,
        "interactions": {"items": logs, "total": total, "page": page, "per_page": per_page},
        "challenges": [challenge_row(c, name, uuid, today) for c, name, uuid in challenges],
        "wins": [win_row(win, name) for win, name in wins],
        "promises": promise_rows(user, list(promises), today),
        "follow_ups": [follow_up_row(i, today) for i in follow_ups],
        "next_birthday": next_birthday,
    }


# What is open with the contact, each list kept as one statement (see .bound).
_OPEN_ITEMS: dict[str, Any] = {
    name: stmt.limit(OPEN_ITEMS_CAP)
    for name, stmt in {
        "challenges": challenge_list_query(USER_ID, CONTACT_ID, True),
        "wins": win_list_query(USER_ID, CONTACT_ID, True),
        "promises": promise_list_query(USER_ID, TODAY, CONTACT_ID),
        "follow_ups": follow_up_list_query(USER_ID)
        .join(InteractionContact, InteractionContact.interaction_id == Interaction.id)
        .where(InteractionContact.contact_id == CONTACT_ID),
    }.items()
}


@lru_cache(maxsize=64)
def _log_page_statement(page: int, per_page: int) -> Any:
    link = InteractionContact
    return (
        select(Interaction)
        .join(link, link.interaction_id == Interaction.id)
        .where(Interaction.user_id == USER_ID, link.user_id == USER_ID, link.contact_id == CONTACT_ID)
        .order_by(link.occurred_at.desc(), link.interaction_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


_LOG_COUNT = (
    select(func.count())
    .select_from(InteractionContact)
    .where(InteractionContact.user_id == USER_ID, InteractionContact.contact_id == CONTACT_ID)
)


def _log_page(user: User, contact_id: int, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of the contact's log, newest first, and how many logs they have in all.

    Driven by the (user, contact, time, log id) index on the links, whose time is the log's
    own (kept in step on every write): the page reads `per_page` index entries and their
    logs, and the total counts index entries, without visiting the whole log.
    """
    values = {"user_id": user.id, "contact_id": contact_id}
    logs = list(db.session.scalars(_log_page_statement(page, per_page), values))
    if page == 1 and len(logs) < per_page:
        return logs, len(logs)
    return logs, db.session.scalar(_LOG_COUNT, values) or 0
