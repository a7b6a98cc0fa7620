"""The single-number counts behind the six habits, read in one statement per window (the
people counts in .people)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, and_, bindparam, func, select, true, union

from ...extensions import db
from ...models import Contact, User, UTCDateTime
from ...models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact, Win
from ..cadence import CORE_KINDS, Cadences, lapse_thresholds
from ..follow_ups import follow_up_due_expr
from .people import count_if, people_part

PERSPECTIVE = ("advice", "feedback")


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


# The figures statement for each cadence shape (defaults by kind, cadences in use). It is
# built once and run with bound values, so a request does not rebuild it or its cache key.
_FIGURES_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_FIGURES_STATEMENTS_MAX = 256


def read_figures(
    user: User,
    start: datetime,
    end: datetime,
    today: date,
    first: date,
    cadences: Cadences,
    past: bool = False,
) -> dict[str, Any]:
    """Every single-number count the blocks need for the window (start, end], in one statement.

    Each part is a one-row aggregate over its own table (read from its own index); the parts
    are joined side by side, so the database runs each once and answers in one round trip.
    """
    by_kind, in_use = cadences
    thresholds = lapse_thresholds(user, today, in_use)
    shape = (tuple(sorted(by_kind.items())), tuple(thresholds), past)
    stmt = _FIGURES_STATEMENTS.get(shape)
    if stmt is None:
        if len(_FIGURES_STATEMENTS) >= _FIGURES_STATEMENTS_MAX:
            _FIGURES_STATEMENTS.clear()
        stmt = _FIGURES_STATEMENTS[shape] = _figures_statement(by_kind, tuple(thresholds), past)
    params: dict[str, Any] = {
        "user_id": user.id, "start": start, "end": end, "today": today, "first": first,
    }
    params.update({f"lapse_{days}": at for days, at in thresholds.items()})
    return dict(db.session.execute(stmt, params).one()._mapping)


def _figures_statement(by_kind: dict[str, int], cadences: tuple[int, ...], past: bool) -> Any:
    """The figures statement, with the user, the window, today and `first` as bound values.

    `past`: the cadence clocks are read from the log as they stood at the window's end.
    """
    user_id = bindparam("user_id", type_=Integer())
    logs = Window(
        user_id, bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    )
    today, first = bindparam("today", type_=Date()), bindparam("first", type_=Date())
    thresholds = {days: bindparam(f"lapse_{days}", type_=UTCDateTime()) for days in cadences}
    parts = [
        people_part(user_id, by_kind, thresholds, logs.end if past else None),
        _log_part(logs),
        _giving_part(user_id, logs, today),
        _caring_part(logs),
        _perspective_part(logs, "received", "mentor", "heard"),
        _perspective_part(logs, "gave", "mentee", "offered"),
        _wins_part(user_id, first, today),
    ]
    if not past:  # counts shown beside the scores; the period before only needs its scores
        parts += [
            _challenge_part(user_id, logs, today),
            _met_part(user_id, logs),
            _follow_up_part(user_id, logs, today),
            _mentor_logs_part(user_id, logs),
        ]
    subqueries = [part.subquery(f"part_{n}") for n, part in enumerate(parts)]
    joined: Any = subqueries[0]
    for sub in subqueries[1:]:
        joined = joined.join(sub, true())
    return select(*(column for sub in subqueries for column in sub.c)).select_from(joined)


def _log_part(logs: Window) -> Any:
    """Logs in the window, and those in person."""
    return select(
        func.count().label("logs"),
        count_if(Interaction.kind == "in_person").label("in_person"),
    ).where(logs.on(Interaction))


def _giving_part(user_id: Any, logs: Window, today: Any) -> Any:
    item = GiveTakeItem
    # Window counts read the (user, time, direction) index alone; promises (few) are counted
    # from the promised index. `= true` (not IS TRUE) lets PostgreSQL use that index too.
    window = select(
        count_if(item.direction == "gave").label("given"),
        count_if(item.direction == "received").label("received"),
    ).where(logs.on(item))
    in_window = and_(item.occurred_at > logs.start, item.occurred_at <= logs.end)
    open_gave = and_(item.direction == "gave", item.delivered_at.is_(None))
    promises = select(
        count_if(in_window).label("promises_made"),
        count_if(and_(in_window, item.delivered_at.is_not(None))).label("promises_kept"),
        count_if(and_(in_window, open_gave)).label("promises_open_in_window"),
        count_if(and_(open_gave, item.due_on < today)).label("promises_overdue"),
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
    """Follow-ups done in the window, and open ones overdue: two ranges of the (user, done,
    due) index rather than a pass over every follow-up ever set."""
    done_at = Interaction.follow_up_done_at
    mine = (Interaction.user_id == user_id, Interaction.follow_up_on.is_not(None))
    done = (done_at > logs.start, done_at <= logs.end)
    overdue = (done_at.is_(None), follow_up_due_expr() < today)
    return select(
        select(func.count()).where(*mine, *done).scalar_subquery().label("follow_ups_done"),
        select(func.count()).where(*mine, *overdue).scalar_subquery().label("follow_ups_overdue"),
    )


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
    """Logs in the window with a mentor, and with a mentee: each from the links of the
    contacts of that kind (few), not from every link in the window."""
    link = InteractionContact

    def logs_with(kind: str) -> Any:
        return (
            select(func.count(func.distinct(link.interaction_id)))
            .where(logs.on(link), link.contact_id.in_(_contacts_of_kind(user_id, (kind,))))
            .scalar_subquery()
        )

    return select(logs_with("mentor").label("mentor_logs"), logs_with("mentee").label("mentee_logs"))


def _wins_part(user_id: Any, first: Any, today: Any) -> Any:
    return select(
        func.count().label("wins"),
        count_if(Win.congratulated_at.is_not(None)).label("wins_congratulated"),
    ).where(Win.user_id == user_id, Win.happened_on >= first, Win.happened_on <= today)


def _contacts_of_kind(user_id: Any, kinds: tuple[str, ...]) -> Any:
    """SELECT the ids of the user's contacts of these kinds (read from the kind index)."""
    return select(Contact.id).where(Contact.user_id == user_id, Contact.kind.in_(kinds))
