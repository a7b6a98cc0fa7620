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

from sqlalchemy import and_, case, func, select, true, union

from ..extensions import db
from ..models import Contact, User
from ..models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact, Win
from .birthdays import birthday_condition, occurrence_between
from .cadence import CORE_KINDS, cadence_by_kind, known_cadences, lapsed_condition
from .clock import day_start, local_date, local_today, user_zone
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
    people = _people_counts(user, today)
    log_counts = _log_counts(logs)
    blocks = {
        "giving": _giving(user, logs, start, today),
        "empathy": _empathy(user, logs, log_counts, start, now, today),
        "face_time": _face_time(user, logs, people, log_counts),
        "work": _work(user, people, start, now, today),
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


def _people_counts(user: User, today: date) -> dict[str, int]:
    """Contacts and core contacts, and how many of each are within their cadence (one scan)."""
    by_kind = cadence_by_kind(user)
    cadences = known_cadences(user, by_kind)
    core = Contact.kind.in_(CORE_KINDS)
    out_of_touch = lapsed_condition(user, today, Contact.last_interaction_at, by_kind, cadences)
    not_met = lapsed_condition(user, today, Contact.last_in_person_at, by_kind, cadences)
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((out_of_touch, 0), else_=1)),
            func.sum(case((core, 1), else_=0)),
            func.sum(case((and_(core, not_met), 0), (core, 1), else_=0)),
        ).where(Contact.user_id == user.id)
    ).one()
    contacts, within, core_contacts, core_within = (int(v or 0) for v in row)
    return {
        "contacts": contacts,
        "within": within,
        "core_contacts": core_contacts,
        "core_within": core_within,
    }


def _log_counts(logs: Window) -> dict[str, int]:
    """Logs in the window, and those in person."""
    row = db.session.execute(
        select(
            func.count(), func.sum(case((Interaction.kind == "in_person", 1), else_=0))
        ).where(logs.on(Interaction))
    ).one()
    return {"logs": int(row[0] or 0), "in_person": int(row[1] or 0)}


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
    # Window counts read the (user, time, direction) index alone; promises (few) are counted
    # from the promised index. `= true` (not IS TRUE) lets PostgreSQL use that index too.
    given, received = (
        int(v or 0)
        for v in db.session.execute(
            select(
                func.sum(case((item.direction == "gave", 1), else_=0)),
                func.sum(case((item.direction == "received", 1), else_=0)),
            ).where(logs.on(item))
        ).one()
    )
    in_window = and_(item.occurred_at > logs.start, item.occurred_at <= logs.end)
    open_gave = and_(item.direction == "gave", item.delivered_at.is_(None))
    made, kept, open_in_window, overdue = (
        int(v or 0)
        for v in db.session.execute(
            select(
                func.sum(case((in_window, 1), else_=0)),
                func.sum(case((and_(in_window, item.delivered_at.is_not(None)), 1), else_=0)),
                func.sum(case((and_(in_window, open_gave), 1), else_=0)),
                func.sum(case((and_(open_gave, item.due_on < today), 1), else_=0)),
            ).where(item.user_id == user.id, item.promised == true())
        ).one()
    )
    gave = given - open_in_window
    ratio = None if gave == 0 and received == 0 else (1.0 if received == 0 else gave / received)
    score = _score(ratio)
    return {
        "score": score,
        "gave": gave,
        "received": received,
        "promises_made": made,
        "promises_kept": kept,
        "promises_overdue": overdue,
    }


def _empathy(
    user: User,
    logs: Window,
    log_counts: dict[str, int],
    start: datetime,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    total = log_counts["logs"]
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


def _face_time(
    user: User, logs: Window, people: dict[str, int], log_counts: dict[str, int]
) -> dict[str, Any]:
    core_contacts, within = people["core_contacts"], people["core_within"]
    in_person_logs = log_counts["in_person"]
    met = db.session.scalar(
        select(func.count(func.distinct(InteractionContact.contact_id))).where(
            logs.on(InteractionContact),
            InteractionContact.interaction_id.in_(
                select(Interaction.id).where(logs.on(Interaction), Interaction.kind == "in_person")
            ),
            InteractionContact.contact_id.in_(_contacts_of_kind(user, CORE_KINDS)),
        )
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


def _work(
    user: User, people: dict[str, int], start: datetime, now: datetime, today: date
) -> dict[str, Any]:
    contacts, within = people["contacts"], people["within"]
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
        select(InteractionContact.interaction_id.label("id"), InteractionContact.occurred_at).where(
            logs.on(InteractionContact),
            InteractionContact.contact_id.in_(_contacts_of_kind(logs.user_id, (kind,))),
        ),
    ).subquery()


def _contacts_of_kind(user: User | int, kinds: tuple[str, ...]) -> Any:
    """SELECT the ids of the user's contacts of these kinds (read from the kind index)."""
    user_id = user if isinstance(user, int) else user.id
    return select(Contact.id).where(Contact.user_id == user_id, Contact.kind.in_(kinds))


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
            .select_from(Contact)
            .join(InteractionContact, InteractionContact.contact_id == Contact.id)
            .where(
                Contact.user_id == user.id,
                Contact.kind.in_(("mentor", "mentee")),
                logs.on(InteractionContact),
            )
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
        # Greeted: a log with them on the day or the day before, in the user's zone, i.e.
        # between the starts of the day before and of the day after (UTC instants).
        zone = user_zone(user)
        starts = {
            day: day_start(zone, day)
            for day in {d + timedelta(days=shift) for d in celebrated.values() for shift in (-1, 1)}
        }
        spans = {
            contact_id: (starts[day - timedelta(days=1)], starts[day + timedelta(days=1)])
            for contact_id, day in celebrated.items()
        }
        link = InteractionContact
        pairs = db.session.execute(
            select(link.contact_id, link.occurred_at).where(
                link.user_id == user.id,
                link.contact_id.in_(
                    select(Contact.id).where(
                        Contact.user_id == user.id, birthday_condition(first, today)
                    )
                ),
                link.occurred_at > start - timedelta(days=2),
                link.occurred_at <= now,
            )
        )
        seen: set[int] = set()
        for contact_id, occurred_at in pairs:
            span = spans.get(contact_id)
            if span is not None and span[0] <= occurred_at < span[1]:
                seen.add(contact_id)
        greeted = len(seen)
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
