"""Challenges: what a contact is going through, open until resolved, with a check-in date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select

from ..contacts import get_contact
from ..errors import ApiError
from ..extensions import db
from ..models import Contact, User
from ..models.interactions import Challenge, Interaction
from .clock import local_today


def add_challenge(user: User, contact_id: int, data: dict[str, Any], now: datetime) -> Challenge:
    """Note a challenge on a contact outside of a log entry."""
    contact = get_contact(user, contact_id)
    challenge = Challenge(
        user_id=user.id,
        contact_id=contact.id,
        text=data["text"],
        noted_on=local_today(user, now),
        check_in_on=data.get("check_in_on"),
        created_at=now,
    )
    db.session.add(challenge)
    db.session.flush()
    return challenge


def get_challenge(user: User, challenge_id: int) -> Challenge:
    """One of the user's challenges, or 404."""
    challenge = db.session.scalar(
        select(Challenge).where(Challenge.id == challenge_id, Challenge.user_id == user.id)
    )
    if challenge is None:
        raise ApiError(404, "No such challenge.")
    return challenge


def resolve_challenge(user: User, challenge_id: int, now: datetime) -> Challenge:
    """Close a challenge (keeps the first time it was closed)."""
    challenge = get_challenge(user, challenge_id)
    if challenge.resolved_at is None:
        challenge.resolved_at = now
    return challenge


def update_challenge(user: User, challenge_id: int, data: dict[str, Any]) -> Challenge:
    """Change the check-in date (null clears it), the text, or reopen it."""
    challenge = get_challenge(user, challenge_id)
    if "check_in_on" in data:
        challenge.check_in_on = data["check_in_on"]
    if "text" in data:
        challenge.text = data["text"]
    if data.get("resolved") is False:
        challenge.resolved_at = None
    return challenge


def challenge_list_query(
    user_id: Any, contact_id: Any, open_only: bool, check_in_due_on: Any = None
) -> Select[Challenge, str, str]:
    """(Challenge, contact name, log uuid) rows: check-ins soonest first, then newest.

    `user_id`, `contact_id` and `check_in_due_on` are values, or bound parameters for a
    statement kept."""
    # The name and the log's uuid are looked up for each row (a primary key each), so the
    # database reads the challenges from their own (user, resolved, check-in) index instead
    # of starting from every contact of the user; a challenge's contact is always the user's.
    name = (
        select(Contact.name)
        .where(Contact.id == Challenge.contact_id, Contact.user_id == user_id)
        .scalar_subquery()
    )
    uuid = select(Interaction.uuid).where(Interaction.id == Challenge.interaction_id).scalar_subquery()
    stmt = select(Challenge, name.label("name"), uuid.label("uuid")).where(Challenge.user_id == user_id)
    if contact_id is not None:
        stmt = stmt.where(Challenge.contact_id == contact_id)
    if open_only:
        stmt = stmt.where(Challenge.resolved_at.is_(None))
    if check_in_due_on is not None:
        stmt = stmt.where(Challenge.check_in_on <= check_in_due_on)
    return stmt.order_by(
        Challenge.check_in_on.is_(None), Challenge.check_in_on, Challenge.noted_on.desc(),
        Challenge.id.desc(),
    )


def challenge_row(challenge: Challenge, name: str, uuid: str | None, today: date) -> dict[str, Any]:
    """A challenge as the API shows it."""
    return {
        "id": challenge.id,
        "contact": {"id": challenge.contact_id, "name": name},
        "interaction_uuid": uuid,
        "text": challenge.text,
        "noted_on": challenge.noted_on,
        "check_in_on": challenge.check_in_on,
        "check_in_due": bool(
            challenge.resolved_at is None
            and challenge.check_in_on is not None
            and challenge.check_in_on <= today
        ),
        "resolved_at": challenge.resolved_at,
    }
