"""Keep-in-touch cadence: each contact's cadence, when they fall due, who has lapsed.

A contact's cadence is their own `cadence_days`, else the user's default for their kind.
Two clocks run against it: keep-in-touch (any interaction, `last_interaction_at`) and face
time (in person only, `last_in_person_at`). A contact never met yet runs from `created_at`.
A clock has lapsed when its local date plus the cadence is before today (user's zone):
due on that day is not yet overdue.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, literal, select

from ..extensions import db
from ..models import Contact, User, UTCDateTime
from ..settings import get_settings
from .clock import day_start, local_date, user_zone
from .sqltime import epoch_seconds

CORE_KINDS = ("mentor", "mentee", "client", "peer", "friend")


def cadence_by_kind(user: User) -> dict[str, int]:
    """The user's default cadence (days) for each relationship kind."""
    return dict(get_settings(user)["cadence_by_kind"])


def cadence_of(kind: str, own_cadence: int | None, by_kind: dict[str, int]) -> int:
    """A contact's effective cadence in days."""
    if own_cadence:
        return own_cadence
    return by_kind.get(kind, by_kind["other"])


def cadence_expr(by_kind: dict[str, int]) -> ColumnElement[Any]:
    """SQL for a contact's effective cadence in days."""
    by_kind_sql = case(
        *((Contact.kind == kind, days) for kind, days in sorted(by_kind.items()) if kind != "other"),
        else_=by_kind["other"],
    )
    return func.coalesce(Contact.cadence_days, by_kind_sql)


def due_on(user: User, clock: datetime, cadence_days: int) -> date:
    """The local date a clock started at `clock` falls due."""
    return local_date(user, clock) + timedelta(days=cadence_days)


def overdue_days(today: date, due: date) -> int:
    """Whole days past the due date (0 when due today or later)."""
    return max(0, (today - due).days)


def known_cadences(user: User, by_kind: dict[str, int]) -> set[int]:
    """Every cadence (days) in use for the user: the defaults and the contacts' own."""
    cadences = set(by_kind.values())
    cadences.update(
        db.session.scalars(
            select(Contact.cadence_days)
            .where(Contact.user_id == user.id, Contact.cadence_days.is_not(None))
            .distinct()
        )
    )
    return cadences


Cadences = tuple[dict[str, int], set[int]]  # the defaults by kind, and every cadence in use


def user_cadences(user: User) -> Cadences:
    """The user's default cadence by kind and every cadence in use, read together."""
    by_kind = cadence_by_kind(user)
    return by_kind, known_cadences(user, by_kind)


def lapsed_condition(
    user: User,
    today: date,
    clock_column: Any,
    by_kind: dict[str, int],
    cadences: set[int] | None = None,
) -> ColumnElement[bool]:
    """SQL: true when the contact's clock (`clock_column`, else created_at) has lapsed.

    Lapsed means local_date(clock) + cadence < today, i.e. clock < start of (today - cadence).
    The start of each such day is computed here in the user's zone (exact across DST) for
    every cadence the user has (`cadences`, from `known_cadences`; looked up when not
    given), so the database only compares instants.
    """
    if cadences is None:
        cadences = known_cadences(user, by_kind)
    thresholds = {
        days: literal(start, UTCDateTime())
        for days, start in lapse_thresholds(user, today, cadences).items()
    }
    return lapsed_against(clock_column, by_kind, thresholds)


def lapse_thresholds(user: User, today: date, cadences: set[int]) -> dict[int, datetime]:
    """For each cadence (days, ascending): the UTC start of (today - cadence) in the user's zone."""
    zone = user_zone(user)
    return {days: day_start(zone, today - timedelta(days=days)) for days in sorted(cadences)}


def lapsed_against(
    clock_column: Any, by_kind: dict[str, int], thresholds: dict[int, Any]
) -> ColumnElement[bool]:
    """SQL: the clock (else created_at) is before the threshold (SQL) of the contact's cadence."""
    threshold = case(thresholds, value=cadence_expr(by_kind))
    return func.coalesce(clock_column, Contact.created_at) < threshold


def lapse_ratio_expr(now_seconds: Any, clock_column: Any, by_kind: dict[str, int]) -> Any:
    """SQL: time since the clock divided by the cadence (1.0 = exactly one cadence ago), at
    `now_seconds` (SQL: seconds since the epoch)."""
    elapsed = now_seconds - epoch_seconds(
        func.coalesce(clock_column, Contact.created_at)
    )
    return elapsed / (cast(cadence_expr(by_kind), Float()) * 86400.0)
