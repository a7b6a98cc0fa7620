"""Wins: a contact's successes, open until congratulated (by hand or by a logged congrats)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, update

from ..contacts import get_contact
from ..errors import ApiError
from ..extensions import db
from ..models import Contact, User
from ..models.interactions import GiveTakeItem, Interaction, InteractionContact, Win
from .clock import day_start, local_date, user_zone


def add_win(user: User, contact_id: int, data: dict[str, Any], now: datetime) -> Win:
    """Record a contact's success; already congratulated if a congrats was logged since."""
    contact = get_contact(user, contact_id)
    win = Win(
        user_id=user.id,
        contact_id=contact.id,
        text=data["text"],
        happened_on=data["happened_on"],
        big=bool(data.get("big")),
        created_at=now,
    )
    win.congratulated_at = _congrats_since(user, contact.id, win.happened_on)
    db.session.add(win)
    db.session.flush()
    return win


def _congrats_since(user: User, contact_id: int, happened_on: date) -> datetime | None:
    """When I first gave this contact a congrats on or after `happened_on`, if ever."""
    return db.session.scalar(
        select(Interaction.occurred_at)
        .join(InteractionContact, InteractionContact.interaction_id == Interaction.id)
        .join(GiveTakeItem, GiveTakeItem.interaction_id == Interaction.id)
        .where(
            InteractionContact.user_id == user.id,
            InteractionContact.contact_id == contact_id,
            Interaction.occurred_at >= day_start(user_zone(user), happened_on),
            GiveTakeItem.direction == "gave",
            GiveTakeItem.category == "congrats",
            or_(GiveTakeItem.contact_id.is_(None), GiveTakeItem.contact_id == contact_id),
        )
        .order_by(Interaction.occurred_at)
        .limit(1)
    )


def note_win_from_log(
    user: User, interaction: Interaction, wanted: dict[str, Any] | None, now: datetime
) -> bool:
    """Keep the win a log entry notes in step with it; True when that changed anything.

    The win is the named person's (one of the log's people), else the log's first person's,
    and happened on the log's local day. One win per log (a replay changes nothing); a log
    that no longer notes a win drops the one it made, never a win recorded by hand.
    """
    if wanted is None:
        if interaction.win is None:
            return False
        interaction.win = None
        return True
    people = interaction.contact_ids
    contact_id = wanted.get("contact_id") or people[0]
    if contact_id not in people:
        raise ApiError(
            422, "Some fields are not valid.",
            {"win": {"contact_id": ["Not one of this log's people."]}},
        )
    values = {
        "contact_id": contact_id,
        "text": wanted["text"],
        "big": bool(wanted.get("big")),
        "happened_on": local_date(user, interaction.occurred_at),
    }
    win = interaction.win
    if win is None:
        with db.session.no_autoflush:  # this log's own congrats is applied after the flush
            closed = _congrats_since(user, contact_id, values["happened_on"])
        interaction.win = Win(user_id=user.id, created_at=now, congratulated_at=closed, **values)
        return True
    changed = False
    for field, value in values.items():
        if getattr(win, field) != value:
            setattr(win, field, value)
            changed = True
    return changed


def congratulate_wins_from_log(user: User, interaction: Interaction) -> None:
    """A congrats given in a log closes the open wins (up to that day) of the people it was for."""
    targets: set[int] = set()
    for item in interaction.items:
        if item.direction == "gave" and item.category == "congrats":
            targets.update([item.contact_id] if item.contact_id else interaction.contact_ids)
    if not targets:
        return
    db.session.execute(
        update(Win)
        .where(
            Win.user_id == user.id,
            Win.contact_id.in_(sorted(targets)),
            Win.congratulated_at.is_(None),
            Win.happened_on <= local_date(user, interaction.occurred_at),
        )
        .values(congratulated_at=interaction.occurred_at)
        .execution_options(synchronize_session="evaluate")  # loaded wins show it too
    )


def reconsider_wins_closed_by(user: User, contact_ids: set[int], closed_at: datetime) -> None:
    """After a log that closed wins (at its time) is edited or deleted, re-derive those wins.

    Only wins whose congratulated time is exactly that log's time are touched: a win marked
    congratulated by hand keeps its mark. Each is closed again by the earliest congrats still
    logged for that person since the win, or reopened when none is left.
    """
    if not contact_ids:
        return
    wins = db.session.scalars(
        select(Win).where(
            Win.user_id == user.id,
            Win.contact_id.in_(sorted(contact_ids)),
            Win.congratulated_at == closed_at,
        )
    ).all()
    for win in wins:
        win.congratulated_at = _congrats_since(user, win.contact_id, win.happened_on)


def get_win(user: User, win_id: int) -> Win:
    """One of the user's wins, or 404."""
    win = db.session.scalar(select(Win).where(Win.id == win_id, Win.user_id == user.id))
    if win is None:
        raise ApiError(404, "No such win.")
    return win


def congratulate(user: User, win_id: int, now: datetime) -> Win:
    """Mark a win congratulated (keeps the first time it was)."""
    win = get_win(user, win_id)
    if win.congratulated_at is None:
        win.congratulated_at = now
    return win


def win_list_query(user_id: Any, contact_id: Any, open_only: bool) -> Select[Win, str]:
    """(Win, contact name) rows: newest success first (`user_id`, `contact_id`: values, or
    bound parameters for a statement kept)."""
    stmt = (
        select(Win, Contact.name)
        .join(Contact, and_(Contact.id == Win.contact_id, Contact.user_id == user_id))
        .where(Win.user_id == user_id)
    )
    if contact_id is not None:
        stmt = stmt.where(Win.contact_id == contact_id)
    if open_only:
        stmt = stmt.where(Win.congratulated_at.is_(None))
    return stmt.order_by(Win.happened_on.desc(), Win.id.desc())


def win_row(win: Win, name: str) -> dict[str, Any]:
    """A win as the API shows it."""
    return {
        "id": win.id,
        "contact": {"id": win.contact_id, "name": name},
        "text": win.text,
        "happened_on": win.happened_on,
        "big": win.big,
        "congratulated_at": win.congratulated_at,
        "created_at": win.created_at,
    }
