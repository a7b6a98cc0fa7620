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

from sqlalchemy import Date, Integer, and_, bindparam, case, func, select, true, union

from ..extensions import db
from ..models import Contact, User, UTCDateTime
from ..models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact, Win
from .birthdays import birthday_condition, occurrence_between
from .cadence import CORE_KINDS, cadence_by_kind, known_cadences, lapse_thresholds, lapsed_against
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
    first = _friendship_first_day(user, start, today)
    figures = _figures(user, start, now, today, first)
    blocks = {
        "giving": _giving(figures),
        "empathy": _empathy(figures),
        "face_time": _face_time(figures),
        "work": _work(figures),
        "unique_voice": _unique_voice(figures, days),
        "friendship": _friendship(user, start, now, today, first, figures),
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

    def __init__(self, user_id: Any, start: Any, end: Any) -> None:
        self.user_id, self.start, self.end = user_id, start, end

    def on(self, model: Any) -> Any:
        """Rows of `model` (interactions, items or links: all carry the log's time) in it."""
        return and_(
            model.user_id == self.user_id,
            model.occurred_at > self.start,
            model.occurred_at <= self.end,
        )


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


# The figures statement for each cadence shape (defaults by kind, cadences in use). It is
# built once and run with bound values, so a request does not rebuild it or its cache key.
_FIGURES_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_FIGURES_STATEMENTS_MAX = 256


def _figures(user: User, start: datetime, end: datetime, today: date, first: date) -> dict[str, Any]:
    """Every single-number count the blocks need, in one statement.

    Each part is a one-row aggregate over its own table (read from its own index); the parts
    are joined side by side, so the database runs each once and answers in one round trip.
    """
    by_kind = cadence_by_kind(user)
    cadences = known_cadences(user, by_kind)
    thresholds = lapse_thresholds(user, today, cadences)
    shape = (tuple(sorted(by_kind.items())), tuple(thresholds))
    stmt = _FIGURES_STATEMENTS.get(shape)
    if stmt is None:
        if len(_FIGURES_STATEMENTS) >= _FIGURES_STATEMENTS_MAX:
            _FIGURES_STATEMENTS.clear()
        stmt = _FIGURES_STATEMENTS[shape] = _figures_statement(by_kind, tuple(thresholds))
    params: dict[str, Any] = {
        "user_id": user.id, "start": start, "end": end, "today": today, "first": first,
    }
    params.update({f"lapse_{days}": at for days, at in thresholds.items()})
    return dict(db.session.execute(stmt, params).one()._mapping)


def _figures_statement(by_kind: dict[str, int], cadences: tuple[int, ...]) -> Any:
    """The figures statement, with the user, the window, today and `first` as bound values."""
    user_id = bindparam("user_id", type_=Integer())
    logs = Window(
        user_id, bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    )
    today, first = bindparam("today", type_=Date()), bindparam("first", type_=Date())
    thresholds = {days: bindparam(f"lapse_{days}", type_=UTCDateTime()) for days in cadences}
    parts = [
        _people_part(user_id, by_kind, thresholds),
        _log_part(logs),
        _giving_part(user_id, logs, today),
        _caring_part(logs),
        _challenge_part(user_id, logs, today),
        _met_part(user_id, logs),
        _follow_up_part(user_id, logs, today),
        _perspective_part(logs, "received", "mentor", "heard"),
        _perspective_part(logs, "gave", "mentee", "offered"),
        _mentor_logs_part(user_id, logs),
        _wins_part(user_id, first, today),
    ]
    subqueries = [part.subquery(f"part_{n}") for n, part in enumerate(parts)]
    joined: Any = subqueries[0]
    for sub in subqueries[1:]:
        joined = joined.join(sub, true())
    return select(*(column for sub in subqueries for column in sub.c)).select_from(joined)


def _people_part(user_id: Any, by_kind: dict[str, int], thresholds: dict[int, Any]) -> Any:
    """Contacts and core contacts, and how many of each are within their cadence (one scan)."""
    core = Contact.kind.in_(CORE_KINDS)
    out_of_touch = lapsed_against(Contact.last_interaction_at, by_kind, thresholds)
    not_met = lapsed_against(Contact.last_in_person_at, by_kind, thresholds)
    return select(
        func.count().label("contacts"),
        func.sum(case((out_of_touch, 0), else_=1)).label("within"),
        func.sum(case((core, 1), else_=0)).label("core_contacts"),
        func.sum(case((and_(core, not_met), 0), (core, 1), else_=0)).label("core_within"),
    ).where(Contact.user_id == user_id)


def _log_part(logs: Window) -> Any:
    """Logs in the window, and those in person."""
    return select(
        func.count().label("logs"),
        _count_if(Interaction.kind == "in_person").label("in_person"),
    ).where(logs.on(Interaction))


def _giving_part(user_id: Any, logs: Window, today: Any) -> Any:
    item = GiveTakeItem
    # Window counts read the (user, time, direction) index alone; promises (few) are counted
    # from the promised index. `= true` (not IS TRUE) lets PostgreSQL use that index too.
    window = select(
        _count_if(item.direction == "gave").label("given"),
        _count_if(item.direction == "received").label("received"),
    ).where(logs.on(item))
    in_window = and_(item.occurred_at > logs.start, item.occurred_at <= logs.end)
    open_gave = and_(item.direction == "gave", item.delivered_at.is_(None))
    promises = select(
        _count_if(in_window).label("promises_made"),
        _count_if(and_(in_window, item.delivered_at.is_not(None))).label("promises_kept"),
        _count_if(and_(in_window, open_gave)).label("promises_open_in_window"),
        _count_if(and_(open_gave, item.due_on < today)).label("promises_overdue"),
    ).where(item.user_id == user_id, item.promised == true())
    window_sub, promises_sub = window.subquery(), promises.subquery()
    return select(window_sub, promises_sub).select_from(window_sub.join(promises_sub, true()))


def _caring_part(logs: Window) -> Any:
    caring = union(
        select(Interaction.id).where(logs.on(Interaction), Interaction.challenge.is_not(None)),
        select(GiveTakeItem.interaction_id).where(
            logs.on(GiveTakeItem),
            GiveTakeItem.direction == "gave",
            GiveTakeItem.category == "listening",
        ),
    ).subquery()
    return select(func.count().label("caring_logs")).select_from(caring)


def _challenge_part(user_id: Any, logs: Window, today: Any) -> Any:
    """Open challenges whose check-in has passed, and those resolved in the window.

    Two ranges of the (user, resolved, check-in) index rather than a pass over every
    challenge.
    """
    mine = Challenge.user_id == user_id
    due = (Challenge.resolved_at.is_(None), Challenge.check_in_on < today)
    resolved = (Challenge.resolved_at > logs.start, Challenge.resolved_at <= logs.end)
    return select(
        select(func.count()).where(mine, *due).scalar_subquery().label("check_ins_overdue"),
        select(func.count()).where(mine, *resolved).scalar_subquery().label("challenges_resolved"),
    )


def _met_part(user_id: Any, logs: Window) -> Any:
    """Distinct core contacts in the window's in-person logs."""
    return select(
        func.count(func.distinct(InteractionContact.contact_id)).label("core_met_in_person")
    ).where(
        logs.on(InteractionContact),
        InteractionContact.interaction_id.in_(
            select(Interaction.id).where(logs.on(Interaction), Interaction.kind == "in_person")
        ),
        InteractionContact.contact_id.in_(_contacts_of_kind(user_id, CORE_KINDS)),
    )


def _follow_up_part(user_id: Any, logs: Window, today: Any) -> Any:
    done = and_(
        Interaction.follow_up_done_at > logs.start, Interaction.follow_up_done_at <= logs.end
    )
    overdue = and_(Interaction.follow_up_done_at.is_(None), follow_up_due_expr() < today)
    return select(
        _count_if(done).label("follow_ups_done"),
        _count_if(overdue).label("follow_ups_overdue"),
    ).where(Interaction.user_id == user_id, Interaction.follow_up_on.is_not(None))


def _perspective_part(logs: Window, direction: str, kind: str, name: str) -> Any:
    """How many logs had advice/feedback go `direction` or a `kind` there, and the last one."""
    found = union(
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
    return select(
        func.count().label(name), func.max(found.c.occurred_at).label(f"last_{name}_at")
    ).select_from(found)


def _mentor_logs_part(user_id: Any, logs: Window) -> Any:
    """Logs in the window with a mentor, and with a mentee."""
    link = InteractionContact

    def logs_with(kind: str) -> Any:
        return func.count(func.distinct(case((Contact.kind == kind, link.interaction_id))))

    return (
        select(logs_with("mentor").label("mentor_logs"), logs_with("mentee").label("mentee_logs"))
        .select_from(Contact)
        .join(link, link.contact_id == Contact.id)
        .where(
            Contact.user_id == user_id,
            Contact.kind.in_(("mentor", "mentee")),
            logs.on(link),
        )
    )


def _wins_part(user_id: Any, first: Any, today: Any) -> Any:
    return select(
        func.count().label("wins"),
        _count_if(Win.congratulated_at.is_not(None)).label("wins_congratulated"),
    ).where(Win.user_id == user_id, Win.happened_on >= first, Win.happened_on <= today)


def _contacts_of_kind(user_id: Any, kinds: tuple[str, ...]) -> Any:
    """SELECT the ids of the user's contacts of these kinds (read from the kind index)."""
    return select(Contact.id).where(Contact.user_id == user_id, Contact.kind.in_(kinds))


def _int(figures: dict[str, Any], key: str) -> int:
    return int(figures[key] or 0)


def _giving(figures: dict[str, Any]) -> dict[str, Any]:
    gave = _int(figures, "given") - _int(figures, "promises_open_in_window")
    received = _int(figures, "received")
    ratio = None if gave == 0 and received == 0 else (1.0 if received == 0 else gave / received)
    return {
        "score": _score(ratio),
        "gave": gave,
        "received": received,
        "promises_made": _int(figures, "promises_made"),
        "promises_kept": _int(figures, "promises_kept"),
        "promises_overdue": _int(figures, "promises_overdue"),
    }


def _empathy(figures: dict[str, Any]) -> dict[str, Any]:
    total = _int(figures, "logs")
    caring_logs = _int(figures, "caring_logs")
    score = None if total == 0 else _score(caring_logs / (EMPATHY_TARGET_SHARE * total))
    return {
        "score": score,
        "logs": total,
        "caring_logs": caring_logs,
        "check_ins_overdue": _int(figures, "check_ins_overdue"),
        "challenges_resolved": _int(figures, "challenges_resolved"),
    }


def _face_time(figures: dict[str, Any]) -> dict[str, Any]:
    core_contacts, within = _int(figures, "core_contacts"), _int(figures, "core_within")
    in_person_logs = _int(figures, "in_person")
    return {
        "score": None if core_contacts == 0 else _score(within / core_contacts),
        "core_contacts": core_contacts,
        "core_within_cadence": within,
        "in_person_logs": in_person_logs,
        "core_met_in_person": _int(figures, "core_met_in_person"),
        "in_person_per_core_contact": (
            round(in_person_logs / core_contacts, 2) if core_contacts else None
        ),
    }


def _work(figures: dict[str, Any]) -> dict[str, Any]:
    contacts, within = _int(figures, "contacts"), _int(figures, "within")
    return {
        "score": None if contacts == 0 else _score(within / contacts),
        "contacts": contacts,
        "within_cadence": within,
        "overdue": contacts - within,
        "follow_ups_done": _int(figures, "follow_ups_done"),
        "follow_ups_overdue": _int(figures, "follow_ups_overdue"),
    }


def _unique_voice(figures: dict[str, Any], days: int) -> dict[str, Any]:
    heard, offered = _int(figures, "heard"), _int(figures, "offered")
    expected = max(1, _round(days / 30))
    score = _round(50 * min(1.0, heard / expected) + 50 * min(1.0, offered / expected))
    return {
        "score": score,
        "heard": heard,
        "offered": offered,
        "expected": expected,
        "mentor_logs": _int(figures, "mentor_logs"),
        "mentee_logs": _int(figures, "mentee_logs"),
        "last_heard_at": _as_utc(figures["last_heard_at"]),
        "last_offered_at": _as_utc(figures["last_offered_at"]),
    }


def _as_utc(value: Any) -> datetime | None:
    from ..models import UTCDateTime

    if value is None:
        return None
    return UTCDateTime().process_result_value(value, db.engine.dialect)


def _friendship_first_day(user: User, start: datetime, today: date) -> date:
    """The first day whose birthdays and wins count: the window's, at most a year back."""
    first = local_date(user, start) + timedelta(days=1)
    first = min(first, today)
    if (today - first).days >= 365:
        first = today - timedelta(days=364)
    return first


def _friendship(
    user: User, start: datetime, now: datetime, today: date, first: date, figures: dict[str, Any]
) -> dict[str, Any]:
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
    wins, congratulated = _int(figures, "wins"), _int(figures, "wins_congratulated")
    chances = len(celebrated) + wins
    return {
        "score": None if chances == 0 else _score((greeted + congratulated) / chances),
        "birthdays": len(celebrated),
        "greeted": greeted,
        "wins": wins,
        "wins_congratulated": congratulated,
    }
