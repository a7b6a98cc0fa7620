"""Follow-ups: a date set on a log entry, due until done; snoozing moves the due date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from ..errors import ApiError
from ..models import User
from ..models.interactions import Interaction
from .interactions import find_interaction

MAX_SNOOZE_DAYS = 365


def follow_up_due_expr() -> Any:
    """SQL: the date a follow-up is due (the snooze date when snoozed)."""
    return func.coalesce(Interaction.follow_up_snoozed_until, Interaction.follow_up_on)


def follow_up_list_query(user_id: Any, due_by: Any = None) -> Select[Any]:
    """Open follow-ups (due by `due_by` when given), soonest first. `user_id` and `due_by`
    are values, or bound parameters for a statement kept.

    A follow-up shows its people, not its items or win: those load only if something reads them.
    """
    due = follow_up_due_expr()
    stmt = select(Interaction).options(lazyload(Interaction.items), lazyload(Interaction.win)).where(
        Interaction.user_id == user_id,
        Interaction.follow_up_on.is_not(None),
        Interaction.follow_up_done_at.is_(None),
    )
    if due_by is not None:
        stmt = stmt.where(due <= due_by)
    return stmt.order_by(due, Interaction.occurred_at, Interaction.id)


def _with_follow_up(user: User, uuid: str) -> Interaction:
    interaction = find_interaction(user, uuid)
    if interaction.follow_up_on is None:
        raise ApiError(409, "This log entry has no follow-up.")
    return interaction


def mark_follow_up_done(user: User, uuid: str, now: datetime) -> Interaction:
    """Close a follow-up (keeps the first time it was done)."""
    interaction = _with_follow_up(user, uuid)
    if interaction.follow_up_done_at is None:
        interaction.follow_up_done_at = now
    return interaction


def snooze_follow_up(user: User, uuid: str, data: dict[str, Any], today: date) -> Interaction:
    """Move a follow-up to a later day (`until`, or `days` from today); reopens a done one."""
    interaction = _with_follow_up(user, uuid)
    until = data.get("until") or today + timedelta(days=data.get("days") or 1)
    if until <= today:
        raise ApiError(422, "Some fields are not valid.", {"until": ["Pick a day after today."]})
    if until > today + timedelta(days=MAX_SNOOZE_DAYS):
        raise ApiError(422, "Some fields are not valid.", {"until": ["At most a year ahead."]})
    interaction.follow_up_snoozed_until = until
    interaction.follow_up_done_at = None
    return interaction


def follow_up_row(interaction: Interaction, today: date) -> dict[str, Any]:
    """A follow-up as the API shows it (needs `people` attached)."""
    due = interaction.follow_up_due_on
    return {
        "interaction_uuid": interaction.uuid,
        "occurred_at": interaction.occurred_at,
        "kind": interaction.kind,
        "people": getattr(interaction, "people", []),
        "notes": interaction.notes,
        "challenge": interaction.challenge,
        "follow_up_on": interaction.follow_up_on,
        "snoozed_until": interaction.follow_up_snoozed_until,
        "due_on": due,
        "overdue_days": max(0, (today - due).days) if due else 0,
        "done_at": interaction.follow_up_done_at,
    }
