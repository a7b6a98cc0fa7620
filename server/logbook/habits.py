"""The Habits screen: the last `days` days scored against the six habits.

The window is (now - days, now]. Each block carries `score` (0–100, or null when there was
nothing to measure) and the raw counts it comes from. Logs are interactions; "core" contacts
are those of kind mentor, mentee, client, peer or friend.

- giving: `gave` = items I gave in the window's logs (promises count once delivered),
  `received` = items I received. score = 100 · min(1, gave / received); 100 when I only
  gave; null when neither. Also promises made / kept in the window and open ones overdue.
- empathy: `caring_logs` = logs that noted their challenge or where I gave "listening".
  score = 100 · min(1, caring_logs / (0.5 · logs)) — noting it in half the logs is full
  marks; null without logs. Also check-ins overdue and challenges resolved in the window.
- face_time: `core_within_cadence` = core contacts met in person within their cadence.
  score = 100 · core_within_cadence / core_contacts; null without core contacts. Also
  in-person logs, distinct core contacts met in person, in-person logs per core contact.
- work: `within_cadence` = contacts in touch within their cadence.
  score = 100 · within_cadence / contacts; null without contacts. Also follow-ups done in
  the window and follow-ups overdue.
- unique_voice: `heard` = logs where I received advice or feedback or met a mentor;
  `offered` = logs where I gave advice or feedback or met a mentee; `expected` = one a month
  (max(1, round(days / 30))). score = 50 · min(1, heard / expected) + 50 · min(1, offered /
  expected). Also mentor and mentee logs and the last time of each (within the window).
- friendship: `birthdays` celebrated in the window (up to today), `greeted` = those with a
  log with that person on the day or the day before (user's zone); `wins` that happened in
  the window and `wins_congratulated`. score = 100 · (greeted + wins_congratulated) /
  (birthdays + wins); null when there were none.

`overall` is the rounded mean of the scores that are not null. Scores are rounded to whole
numbers (half up).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select, union

from ..extensions import db
from ..models import Contact, User
from ..models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact, Win
from .birthdays import birthday_condition, occurrence_between
from .cadence import CORE_KINDS, cadence_by_kind, lapsed_condition
from .clock import local_date, local_today
from .follow_ups import follow_up_due_expr

EMPATHY_TARGET_SHARE = 0.5
PERSPECTIVE = ("advice", "feedback")


def _round(value: float) -> int:
    return int(math.floor(value + 0.5))


def _score(value: float | None) -> int | None:
    return None if value is None else _round(100 * max(0.0, min(1.0, value)))


def build_habits(user: User, now: datetime, days: int = 90) -> dict[str, Any]:
    """All six habit blocks for the window of `days` days ending at `now`."""
    start = now - timedelta(days=days)
    today = local_today(user, now)
    logs = Window(user.id, start, now)
    blocks = {
        "giving": _giving(user, logs, start, today),
        "empathy": _empathy(user, logs, start, now, today),
        "face_time": _face_time(user, logs, today),
        "work": _work(user, start, now, today),
        "unique_voice": _unique_voice(user, logs, days),
        "friendship": _friendship(user, start, now, today),
    }
    scores = [b["score"] for b in blocks.values() if b["score"] is not None]
    return {
        "days": days,
        "from": start,
        "to": now,
        "overall": _round(sum(scores) / len(scores)) if scores else None,
        **blocks,
    }


class Window:
    """The scoring window (start, end] for one user, as SQL conditions on each table."""

    def __init__(self, user_id: int, start: datetime, end: datetime) -> None:
        self.user_id, self.start, self.end = user_id, start, end

    def on(self, model: Any) -> Any:
        """Rows of `model` (interactions, items or links: all carry the log's time) in it."""
        return and_(
            model.user_id == self.user_id,
            model.occurred_at > self.start,
            model.occurred_at <= self.end,
        )


def _giving(user: User, logs: Window, start: datetime, today: date) -> dict[str, Any]:
    item = GiveTakeItem
    open_promise = and_(item.promised.is_(True), item.delivered_at.is_(None))
    row = db.session.execute(
        select(
            func.sum(case((and_(item.direction == "gave", ~open_promise), 1), else_=0)),
            func.sum(case((item.direction == "received", 1), else_=0)),
            func.sum(case((item.promised.is_(True), 1), else_=0)),
            func.sum(case((and_(item.promised.is_(True), item.delivered_at.is_not(None)), 1), else_=0)),
        ).where(logs.on(item))
    ).one()
    gave, received, made, kept = (int(v or 0) for v in row)
    overdue = db.session.scalar(
        select(func.count()).where(
            item.user_id == user.id, open_promise, item.direction == "gave", item.due_on < today
        )
    )
    ratio = None if gave == 0 and received == 0 else (1.0 if received == 0 else gave / received)
    score = _score(ratio)
    return {
        "score": score,
        "gave": gave,
        "received": received,
        "promises_made": made,
        "promises_kept": kept,
        "promises_overdue": int(overdue or 0),
    }


def _empathy(user: User, logs: Window, start: datetime, now: datetime, today: date) -> dict[str, Any]:
    total = db.session.scalar(select(func.count()).where(logs.on(Interaction))) or 0
    caring = union(
        select(Interaction.id).where(logs.on(Interaction), Interaction.challenge.is_not(None)),
        select(GiveTakeItem.interaction_id).where(
            logs.on(GiveTakeItem),
            GiveTakeItem.direction == "gave",
            GiveTakeItem.category == "listening",
        ),
    ).subquery()
    caring_logs = db.session.scalar(select(func.count()).select_from(caring)) or 0
    row = db.session.execute(
        select(
            func.sum(
                case(
                    (and_(Challenge.resolved_at.is_(None), Challenge.check_in_on < today), 1),
                    else_=0,
                )
            ),
            func.sum(
                case(
                    (and_(Challenge.resolved_at > start, Challenge.resolved_at <= now), 1),
                    else_=0,
                )
            ),
        ).where(Challenge.user_id == user.id)
    ).one()
    score = None if total == 0 else _score(caring_logs / (EMPATHY_TARGET_SHARE * total))
    return {
        "score": score,
        "logs": total,
        "caring_logs": caring_logs,
        "check_ins_overdue": int(row[0] or 0),
        "challenges_resolved": int(row[1] or 0),
    }


def _face_time(user: User, logs: Window, today: date) -> dict[str, Any]:
    by_kind = cadence_by_kind(user)
    core = Contact.kind.in_(CORE_KINDS)
    lapsed = lapsed_condition(user, today, Contact.last_in_person_at, by_kind)
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((lapsed, 0), else_=1)),
        ).where(Contact.user_id == user.id, core)
    ).one()
    core_contacts, within = int(row[0] or 0), int(row[1] or 0)
    in_person_logs = (
        db.session.scalar(
            select(func.count()).where(logs.on(Interaction), Interaction.kind == "in_person")
        )
        or 0
    )
    met = db.session.scalar(
        select(func.count(func.distinct(InteractionContact.contact_id)))
        .select_from(InteractionContact)
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .join(Contact, Contact.id == InteractionContact.contact_id)
        .where(logs.on(InteractionContact), Interaction.kind == "in_person", core)
    )
    return {
        "score": None if core_contacts == 0 else _score(within / core_contacts),
        "core_contacts": core_contacts,
        "core_within_cadence": within,
        "in_person_logs": in_person_logs,
        "core_met_in_person": int(met or 0),
        "in_person_per_core_contact": (
            round(in_person_logs / core_contacts, 2) if core_contacts else None
        ),
    }


def _work(user: User, start: datetime, now: datetime, today: date) -> dict[str, Any]:
    lapsed = lapsed_condition(user, today, Contact.last_interaction_at, cadence_by_kind(user))
    row = db.session.execute(
        select(func.count(), func.sum(case((lapsed, 0), else_=1))).where(
            Contact.user_id == user.id
        )
    ).one()
    contacts, within = int(row[0] or 0), int(row[1] or 0)
    follow = db.session.execute(
        select(
            func.sum(
                case(
                    (
                        and_(
                            Interaction.follow_up_done_at > start,
                            Interaction.follow_up_done_at <= now,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(
                case(
                    (
                        and_(
                            Interaction.follow_up_done_at.is_(None),
                            follow_up_due_expr() < today,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        ).where(Interaction.user_id == user.id, Interaction.follow_up_on.is_not(None))
    ).one()
    return {
        "score": None if contacts == 0 else _score(within / contacts),
        "contacts": contacts,
        "within_cadence": within,
        "overdue": contacts - within,
        "follow_ups_done": int(follow[0] or 0),
        "follow_ups_overdue": int(follow[1] or 0),
    }


def _perspective_logs(logs: Window, direction: str, kind: str) -> Any:
    """(log id, time) of logs where advice/feedback went `direction` or a `kind` was there."""
    return union(
        select(GiveTakeItem.interaction_id.label("id"), GiveTakeItem.occurred_at).where(
            logs.on(GiveTakeItem),
            GiveTakeItem.direction == direction,
            GiveTakeItem.category.in_(PERSPECTIVE),
        ),
        select(InteractionContact.interaction_id.label("id"), InteractionContact.occurred_at)
        .join(Contact, Contact.id == InteractionContact.contact_id)
        .where(logs.on(InteractionContact), Contact.kind == kind),
    ).subquery()


def _unique_voice(user: User, logs: Window, days: int) -> dict[str, Any]:
    heard_q = _perspective_logs(logs, "received", "mentor")
    offered_q = _perspective_logs(logs, "gave", "mentee")
    heard, last_heard = db.session.execute(
        select(func.count(), func.max(heard_q.c.occurred_at))
    ).one()
    offered, last_offered = db.session.execute(
        select(func.count(), func.max(offered_q.c.occurred_at))
    ).one()
    by_kind = dict(
        db.session.execute(
            select(Contact.kind, func.count(func.distinct(InteractionContact.interaction_id)))
            .select_from(InteractionContact)
            .join(Contact, Contact.id == InteractionContact.contact_id)
            .where(logs.on(InteractionContact), Contact.kind.in_(("mentor", "mentee")))
            .group_by(Contact.kind)
        ).all()
    )
    expected = max(1, _round(days / 30))
    score = _round(50 * min(1.0, heard / expected) + 50 * min(1.0, offered / expected))
    return {
        "score": score,
        "heard": int(heard),
        "offered": int(offered),
        "expected": expected,
        "mentor_logs": int(by_kind.get("mentor", 0)),
        "mentee_logs": int(by_kind.get("mentee", 0)),
        "last_heard_at": _as_utc(last_heard),
        "last_offered_at": _as_utc(last_offered),
    }


def _as_utc(value: Any) -> datetime | None:
    from ..models import UTCDateTime

    if value is None:
        return None
    return UTCDateTime().process_result_value(value, db.engine.dialect)


def _friendship(user: User, start: datetime, now: datetime, today: date) -> dict[str, Any]:
    first = local_date(user, start) + timedelta(days=1)
    first = min(first, today)
    if (today - first).days >= 365:
        first = today - timedelta(days=364)
    people = db.session.execute(
        select(Contact.id, Contact.birthday_month, Contact.birthday_day).where(
            Contact.user_id == user.id, birthday_condition(first, today)
        )
    ).all()
    celebrated = {
        p.id: day
        for p in people
        if (day := occurrence_between(p.birthday_month, p.birthday_day, first, today))
    }
    greeted = 0
    if celebrated:
        seen: dict[int, set[date]] = {}
        pairs = db.session.execute(
            select(InteractionContact.contact_id, Interaction.occurred_at)
            .join(Interaction, Interaction.id == InteractionContact.interaction_id)
            .where(
                InteractionContact.user_id == user.id,
                InteractionContact.contact_id.in_(
                    select(Contact.id).where(
                        Contact.user_id == user.id, birthday_condition(first, today)
                    )
                ),
                Interaction.occurred_at > start - timedelta(days=2),
                Interaction.occurred_at <= now,
            )
        )
        for contact_id, occurred_at in pairs:
            seen.setdefault(contact_id, set()).add(local_date(user, occurred_at))
        for contact_id, day in celebrated.items():
            if seen.get(contact_id, set()) & {day, day - timedelta(days=1)}:
                greeted += 1
    wins_row = db.session.execute(
        select(func.count(), func.sum(case((Win.congratulated_at.is_not(None), 1), else_=0))).where(
            Win.user_id == user.id, Win.happened_on >= first, Win.happened_on <= today
        )
    ).one()
    wins, congratulated = int(wins_row[0] or 0), int(wins_row[1] or 0)
    chances = len(celebrated) + wins
    return {
        "score": None if chances == 0 else _score((greeted + congratulated) / chances),
        "birthdays": len(celebrated),
        "greeted": greeted,
        "wins": wins,
        "wins_congratulated": congratulated,
    }
