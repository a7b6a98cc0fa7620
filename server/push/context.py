"""One-line context from the log book: open challenges and promises, the last interaction,
and what is due to follow up on a given day."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import Contact
from ..models.interactions import (
    Challenge,
    GiveTakeItem,
    Interaction,
    InteractionContact,
)

KIND_WORDS = {
    "in_person": "met in person", "call": "a call", "video": "a video call",
    "message": "messages", "event": "an event",
}


def _names(user_id: int, contact_ids: set[int]) -> dict[int, str]:
    if not contact_ids:
        return {}
    rows = db.session.execute(
        select(Contact.id, Contact.name).where(
            Contact.user_id == user_id, Contact.id.in_(contact_ids)
        )
    )
    return {row.id: row.name for row in rows}


def _interactions_with(user_id: int, contact_ids: list[int]) -> Any:
    return select(InteractionContact.interaction_id).where(
        InteractionContact.user_id == user_id, InteractionContact.contact_id.in_(contact_ids)
    )


def open_context_line(user_id: int, contact_ids: list[int]) -> str:
    """An open challenge or promise about these people, as one line."""
    challenge = db.session.scalars(
        select(Challenge)
        .where(Challenge.user_id == user_id, Challenge.contact_id.in_(contact_ids),
               Challenge.resolved_at.is_(None))
        .order_by(Challenge.noted_on.desc(), Challenge.id.desc())
        .limit(1)
    ).first()
    if challenge is not None:
        who = _names(user_id, {challenge.contact_id}).get(challenge.contact_id, "")
        prefix = f"{who.split()[0]}'s challenge" if len(contact_ids) > 1 and who else "On their mind"
        return f"{prefix}: {challenge.text}"[:200]
    promise = db.session.scalars(
        select(GiveTakeItem)
        .where(
            GiveTakeItem.user_id == user_id,
            GiveTakeItem.direction == "gave",
            GiveTakeItem.promised.is_(True),
            GiveTakeItem.delivered_at.is_(None),
            or_(GiveTakeItem.contact_id.in_(contact_ids),
                and_(GiveTakeItem.contact_id.is_(None),
                     GiveTakeItem.interaction_id.in_(_interactions_with(user_id, contact_ids)))),
        )
        .order_by(GiveTakeItem.created_at.desc(), GiveTakeItem.id.desc())
        .limit(1)
    ).first()
    if promise is not None:
        what = promise.note or promise.category
        return f"You promised: {what}"[:200]
    return ""


def last_interaction_text(user_id: int, contact_id: int) -> str:
    """"Last time: met in person on 12 Aug 2026 — you gave an intro" from the latest entry."""
    last = db.session.scalars(
        select(Interaction)
        .where(Interaction.user_id == user_id,
               Interaction.id.in_(_interactions_with(user_id, [contact_id])))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return ""
    text = f"Last time: {KIND_WORDS.get(last.kind, last.kind)} on {last.occurred_at:%-d %b %Y}"
    gave = [item.note or item.category for item in last.gave]
    if gave:
        text += f" — you gave {gave[0]}"
    return text[:200]


def due_followup_lines(user_id: int, days: list[date]) -> dict[date, list[str]]:
    """One line per follow-up, check-in or promise due on each of these local days (isolated
    on purpose): three statements for all the days, and the people only when something is due."""
    due_on = func.coalesce(Interaction.follow_up_snoozed_until, Interaction.follow_up_on)
    followups = db.session.execute(
        select(Interaction, due_on.label("day")).where(
            Interaction.user_id == user_id,
            Interaction.follow_up_done_at.is_(None),
            due_on.in_(days),
        ).order_by(Interaction.occurred_at)
    ).all()
    checkins = list(db.session.scalars(
        select(Challenge).where(Challenge.user_id == user_id, Challenge.check_in_on.in_(days),
                                Challenge.resolved_at.is_(None)).order_by(Challenge.id)
    ))
    promises = list(db.session.scalars(
        select(GiveTakeItem).where(
            GiveTakeItem.user_id == user_id, GiveTakeItem.promised.is_(True),
            GiveTakeItem.delivered_at.is_(None), GiveTakeItem.due_on.in_(days),
        ).order_by(GiveTakeItem.id)
    ))
    if not (followups or checkins or promises):
        return {}
    interaction_ids = {row.Interaction.id for row in followups} | {p.interaction_id for p in promises}
    links = db.session.execute(
        select(InteractionContact.interaction_id, InteractionContact.contact_id).where(
            InteractionContact.interaction_id.in_(interaction_ids)
        ).order_by(InteractionContact.id)
    ).all() if interaction_ids else []
    ids = {link.contact_id for link in links} | {c.contact_id for c in checkins}
    ids |= {p.contact_id for p in promises if p.contact_id}
    names = _names(user_id, ids)
    people: dict[int, list[str]] = {}
    for link in links:
        if link.contact_id in names:
            people.setdefault(link.interaction_id, []).append(names[link.contact_id])
    lines: dict[date, list[str]] = {}
    for interaction, day in followups:
        who = ", ".join(people.get(interaction.id, [])) or "someone you met"
        lines.setdefault(day, []).append(f"Follow up with {who}")
    for challenge in checkins:
        day = cast(date, challenge.check_in_on)  # one of `days`, as matched
        lines.setdefault(day, []).append(
            f"Check in with {names.get(challenge.contact_id, 'them')}: {challenge.text}")
    for promise in promises:
        if promise.contact_id:
            who = names.get(promise.contact_id, "")
        else:  # a promise to everyone who was there
            who = ", ".join(people.get(promise.interaction_id, []))
        what = promise.note or promise.category
        day = cast(date, promise.due_on)  # one of `days`, as matched
        lines.setdefault(day, []).append(
            f"You promised {who}: {what}" if who else f"You promised: {what}")
    return {day: [line[:200] for line in found] for day, found in lines.items()}

