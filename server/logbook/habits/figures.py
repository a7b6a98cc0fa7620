"""The single-number counts behind the six habits, read in one statement per window."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, and_, bindparam, case, func, not_, or_, select, true, union
from sqlalchemy.sql.util import ClauseAdapter

from ...extensions import db
from ...models import Contact, User, UTCDateTime
from ...models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact, Win
from ..cadence import CORE_KINDS, cadence_by_kind, known_cadences, lapse_thresholds, lapsed_against
from ..follow_ups import follow_up_due_expr

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


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


# The figures statement for each cadence shape (defaults by kind, cadences in use). It is
# built once and run with bound values, so a request does not rebuild it or its cache key.
_FIGURES_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_FIGURES_STATEMENTS_MAX = 256


def read_figures(
    user: User, start: datetime, end: datetime, today: date, first: date, past: bool = False
) -> dict[str, Any]:
    """Every single-number count the blocks need for the window (start, end], in one statement.

    Each part is a one-row aggregate over its own table (read from its own index); the parts
    are joined side by side, so the database runs each once and answers in one round trip.
    """
    by_kind = cadence_by_kind(user)
    cadences = known_cadences(user, by_kind)
    thresholds = lapse_thresholds(user, today, cadences)
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
        _people_part(user_id, by_kind, thresholds, logs.end if past else None),
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


def _people_part(
    user_id: Any, by_kind: dict[str, int], thresholds: dict[int, Any], as_of: Any = None
) -> Any:
    """Contacts and core contacts: how many are tracked, and how many within their cadence.

    Within: in touch (met in person, for core) and not lapsed. Tracked: within, or lapsed,
    which for someone never met means added more than a cadence ago; someone added since
    and never met is neither. One scan of the user's contacts. `as_of` (SQL instant) reads
    the clocks as they stood then, from the log, for the previous period's trend.
    """
    core = Contact.kind.in_(CORE_KINDS)
    last_touch: Any = Contact.last_interaction_at
    last_met: Any = Contact.last_in_person_at
    clocks = None
    if as_of is not None:
        # Each clock is used several times below; read from the log, it is one lookup per
        # contact only when computed once into a materialised table that the counts read
        # (inline, the database repeats the lookup at every use: a second per 5,000 contacts
        # on PostgreSQL).
        met_as_of = _met_as_of(user_id, as_of)
        clocks = (
            select(
                Contact.kind,
                Contact.cadence_days,
                Contact.created_at,
                _touch_as_of(user_id, as_of).label("last_touch"),
                met_as_of.c.last_met,
            )
            .outerjoin(met_as_of, met_as_of.c.contact_id == Contact.id)
            .where(Contact.user_id == user_id, Contact.created_at <= as_of)
            .cte("clocks_as_of")
            .prefix_with("MATERIALIZED")
        )
        last_touch, last_met = clocks.c.last_touch, clocks.c.last_met
    touched, met = last_touch.is_not(None), last_met.is_not(None)
    out_of_touch = lapsed_against(last_touch, by_kind, thresholds)
    not_met = lapsed_against(last_met, by_kind, thresholds)
    counts = [
        func.count().label("contacts"),
        _count_if(and_(touched, not_(out_of_touch))).label("within"),
        _count_if(or_(touched, out_of_touch)).label("tracked"),
        _count_if(core).label("core_contacts"),
        _count_if(and_(core, met, not_(not_met))).label("core_within"),
        _count_if(and_(core, or_(met, not_met))).label("core_tracked"),
    ]
    if clocks is None:
        return select(*counts).where(Contact.user_id == user_id)
    adapter = ClauseAdapter(clocks)  # the contact's own columns, read from the clocks table
    return select(*(adapter.traverse(column) for column in counts)).select_from(clocks)


def _touch_as_of(user_id: Any, as_of: Any) -> Any:
    """SQL: the contact's last log at or before `as_of` (one step back along its index)."""
    link = InteractionContact
    return (
        select(func.max(link.occurred_at))
        .where(link.user_id == user_id, link.contact_id == Contact.id, link.occurred_at <= as_of)
        .correlate(Contact)
        .scalar_subquery()
    )


def _met_as_of(user_id: Any, as_of: Any) -> Any:
    """SQL table (contact_id, last_met): each contact's last in-person log at or before `as_of`.

    Whether a log was in person is on the log, not the link, so this is one join of the
    links and the in-person logs up to then, both read from their time indexes, rather than
    a walk back through each contact's links with a lookup of every log.
    """
    link = InteractionContact
    return (
        select(link.contact_id, func.max(link.occurred_at).label("last_met"))
        .join(Interaction, Interaction.id == link.interaction_id)
        .where(
            link.user_id == user_id,
            link.occurred_at <= as_of,
            Interaction.user_id == user_id,
            Interaction.occurred_at <= as_of,
            Interaction.kind == "in_person",
        )
        .group_by(link.contact_id)
        .subquery("met_as_of")
    )


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
