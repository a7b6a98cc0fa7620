"""Habits' people counts: who is tracked and who is within their cadence, by the clocks as
they are now or, for the period before, as they stood at its end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.sql.util import ClauseAdapter

from ...models import Contact
from ...models.interactions import Interaction, InteractionContact
from ..cadence import CORE_KINDS, lapsed_against


def count_if(condition: Any) -> Any:
    """SQL: how many rows meet `condition`."""
    return func.sum(case((condition, 1), else_=0))


def people_part(
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
        # A clock that has not moved since `as_of` reads as it is; only the contacts seen
        # since are looked up in the log, each one step back along its index. Each clock is
        # used several times below, so it is computed once into a materialised table that
        # the counts read (inline, the database repeats the lookup at every use). Only core
        # contacts' in-person clock is counted, so only theirs is looked up.
        met_as_of = case((core, _met_as_of(user_id, as_of)))
        clocks = (
            select(
                Contact.kind,
                Contact.cadence_days,
                Contact.created_at,
                _clock_as_of(last_touch, _touch_as_of(user_id, as_of), as_of).label("last_touch"),
                _clock_as_of(last_met, met_as_of, as_of).label("last_met"),
            )
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
        count_if(and_(touched, not_(out_of_touch))).label("within"),
        count_if(or_(touched, out_of_touch)).label("tracked"),
        count_if(core).label("core_contacts"),
        count_if(and_(core, met, not_(not_met))).label("core_within"),
        count_if(and_(core, or_(met, not_met))).label("core_tracked"),
    ]
    if clocks is None:
        return select(*counts).where(Contact.user_id == user_id)
    adapter = ClauseAdapter(clocks)  # the contact's own columns, read from the clocks table
    return select(*(adapter.traverse(column) for column in counts)).select_from(clocks)


def _clock_as_of(clock: Any, looked_up: Any, as_of: Any) -> Any:
    """SQL: the contact's clock as it stood at `as_of`: itself unless it moved since."""
    return case((or_(clock.is_(None), clock <= as_of), clock), else_=looked_up)


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
    """SQL: the contact's last in-person log at or before `as_of`: a walk back through the
    contact's links, newest first, to the first one in person."""
    link = InteractionContact
    return (
        select(link.occurred_at)
        .join(Interaction, Interaction.id == link.interaction_id)
        .where(
            link.user_id == user_id,
            link.contact_id == Contact.id,
            link.occurred_at <= as_of,
            Interaction.kind == "in_person",
        )
        .order_by(link.occurred_at.desc())
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
