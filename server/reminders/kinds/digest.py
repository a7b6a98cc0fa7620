"""The weekly digest: who to give to this week and why, each line opening that person.

Reasons, most pressing first: a promise you owe them, a win to congratulate, a challenge to
ask about, a birthday coming this week, past your keep-in-touch cadence, you took more than
you gave. The push opens `/week`; each line carries its reason and its own URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marshmallow import fields, validate
from sqlalchemy import and_, select

from ...extensions import db
from ...logbook.birthdays import birthday_condition, occurrence_between
from ...logbook.stats import contact_stats
from ...models import Contact
from ...models.interactions import Challenge, GiveTakeItem, InteractionContact, Win
from ...models.push import Notification
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ...settings import HHMM
from ..context import PlanContext
from ..registry import HOUR, Kind, Option, register

LIMIT = 3
COUNT_WORDS = {1: "One person", 2: "Two people", 3: "Three people"}


@dataclass
class Reason:
    """Why one person is in the digest."""

    rank: int  # lower is more pressing
    text: str


def _first(found: dict[int, Reason], contact_id: int, reason: Reason) -> None:
    if contact_id not in found or reason.rank < found[contact_id].rank:
        found[contact_id] = reason


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _promises(ctx: PlanContext, found: dict[int, Reason]) -> None:
    item = GiveTakeItem
    rows = db.session.execute(
        select(item.contact_id, InteractionContact.contact_id.label("present"), item.note,
               item.category)
        .outerjoin(InteractionContact, and_(InteractionContact.interaction_id == item.interaction_id,
                                            item.contact_id.is_(None)))
        .where(item.user_id == ctx.user.id, item.direction == "gave", item.promised.is_(True),
               item.delivered_at.is_(None))
        .order_by(item.id)
    )
    for row in rows:
        who = row.contact_id or row.present
        if who:
            _first(found, who, Reason(0, f"you promised {_short(row.note or row.category)}"))


def _wins(ctx: PlanContext, found: dict[int, Reason]) -> None:
    rows = db.session.execute(
        select(Win.contact_id, Win.text).where(
            Win.user_id == ctx.user.id, Win.congratulated_at.is_(None)
        ).order_by(Win.happened_on.desc(), Win.id.desc())
    )
    for row in rows:
        _first(found, row.contact_id, Reason(1, f"congratulate: {_short(row.text)}"))


def _challenges(ctx: PlanContext, found: dict[int, Reason]) -> None:
    rows = db.session.execute(
        select(Challenge.contact_id, Challenge.text).where(
            Challenge.user_id == ctx.user.id, Challenge.resolved_at.is_(None)
        ).order_by(Challenge.noted_on.desc(), Challenge.id.desc())
    )
    for row in rows:
        _first(found, row.contact_id, Reason(2, f"ask about {_short(row.text)}"))


def _birthdays(ctx: PlanContext, found: dict[int, Reason], first: date) -> None:
    last = first + timedelta(days=6)
    rows = db.session.execute(
        select(Contact.id, Contact.birthday_month, Contact.birthday_day).where(
            Contact.user_id == ctx.user.id, birthday_condition(first, last)
        )
    )
    for row in rows:
        day = occurrence_between(row.birthday_month, row.birthday_day, first, last)
        if day is not None:
            _first(found, row.id, Reason(3, f"birthday {day:%A}"))


def _cadence_and_balance(ctx: PlanContext, found: dict[int, Reason],
                         contacts: list[Contact]) -> dict[int, tuple[float, int]]:
    """Past cadence and give/take reasons; returns (days late, owed) per contact."""
    stats = contact_stats(ctx.user, [c.id for c in contacts], ctx.now)
    figures: dict[int, tuple[float, int]] = {}
    for c in contacts:
        late = stats.get(c.id, {}).get("overdue_days")
        late = float(late) if late is not None else -1.0
        owed = -int(stats.get(c.id, {}).get("balance") or 0)  # took more than gave
        figures[c.id] = (late, owed)
        if late > 0:
            _first(found, c.id, Reason(4, f"{int(late)} days past your usual"))
        if owed > 0:
            _first(found, c.id, Reason(5, f"you got {owed} more than you gave"))
    return figures


def people_to_give_to(ctx: PlanContext, week_start: date, limit: int = LIMIT
                      ) -> list[tuple[Contact, Reason]]:
    """Up to `limit` people with the most pressing reason each, most pressing first."""
    contacts = list(db.session.scalars(select(Contact).where(Contact.user_id == ctx.user.id)))
    if not contacts:
        return []
    found: dict[int, Reason] = {}
    _promises(ctx, found)
    _wins(ctx, found)
    _challenges(ctx, found)
    _birthdays(ctx, found, week_start)
    figures = _cadence_and_balance(ctx, found, contacts)
    by_id = {c.id: c for c in contacts}
    chosen = [cid for cid in found if cid in by_id]
    chosen.sort(key=lambda cid: (found[cid].rank, -figures[cid][0], -figures[cid][1],
                                 by_id[cid].name))
    return [(by_id[cid], found[cid]) for cid in chosen[:limit]]


def plan_digest(ctx: PlanContext) -> list[Planned]:
    """The weekly push on the chosen weekday and time; the list is chosen once."""
    today = ctx.today
    day = today + timedelta(days=(int(ctx.settings["digest_weekday"]) - today.weekday()) % 7)
    if day not in ctx.planned_days():
        return []
    iso = day.isocalendar()
    key = f"digest:{ctx.user.id}:{iso.year}-W{iso.week:02d}"
    if db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return []
    people = people_to_give_to(ctx, day)
    if not people:
        return []
    lines = [
        {"contact_id": c.id, "name": c.name, "reason": r.text, "url": f"/people/{c.id}"}
        for c, r in people
    ]
    title = f"{COUNT_WORDS[len(people)]} to give to this week"
    return [Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name,
        due_at=ctx.at(day, ctx.settings.get("digest_time") or ctx.settings["notify_time"]),
        expires_at=ctx.day_end(day + timedelta(days=1)),
        payload=build_payload(
            kind=KIND.name, title=title,
            body=", ".join(f"{line['name']} ({line['reason']})" for line in lines),
            url="/week", tag=tag_for(key), base_url=ctx.base_url, lines=lines,
        ),
    )]


KIND = register(Kind(
    name="digest",
    label="Weekly digest: who to give to this week, and why",
    plan=plan_digest,
    key_pattern="digest:<user id>:<ISO week>",
    ttl=24 * HOUR,
    urgency="low",
    setting="digest_enabled",
    options=(
        Option("digest_weekday", 0, fields.Integer(validate=validate.Range(0, 6)), "Digest day",
               widget="weekday"),
        Option("digest_time", "09:00",
               fields.String(validate=validate.Regexp(HHMM, error="Use HH:MM.")), "at",
               widget="time"),
    ),
    position=60,
))
