"""Who has lapsed: people overdue to keep in touch, and core people overdue for face time,
the most lapsed relative to their cadence first.

Today, who-to-give-to and the Habits coach all read these lists, and a rebuild reads both. A
list's statement is built once for each shape — which list, the user's default cadences, the
cadences in use, the cap, counted or not — and run with the user, the moment and the lapse
thresholds as bound values: building it and deriving its cache key anew cost more than
running it for a small account (see .bound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, bindparam, not_, select

from ..extensions import db
from ..models import Contact, User
from .bound import USER_ID, instant
from .cadence import (
    CORE_KINDS,
    cadence_of,
    due_on,
    known_cadences,
    lapse_ratio_expr,
    lapse_thresholds,
    lapsed_against,
    overdue_days,
)
from .reading import capped, counted_total


@dataclass(frozen=True)
class LapsedList:
    """One list: the clock it ranks by, and which contacts it holds (SQL, from the defaults
    by kind and each cadence's lapse threshold)."""

    clock: Any
    conditions: Callable[[dict[str, int], dict[int, Any]], list[Any]]


LAPSED_LISTS = {
    # Their keep-in-touch cadence has lapsed.
    "overdue": LapsedList(
        Contact.last_interaction_at,
        lambda by_kind, at: [lapsed_against(Contact.last_interaction_at, by_kind, at)],
    ),
    # Core people (not 'other') not met in person within their cadence, though in touch.
    "face_time": LapsedList(
        Contact.last_in_person_at,
        lambda by_kind, at: [
            Contact.kind.in_(CORE_KINDS),
            lapsed_against(Contact.last_in_person_at, by_kind, at),
            not_(lapsed_against(Contact.last_interaction_at, by_kind, at)),
        ],
    ),
}


@lru_cache(maxsize=256)
def _statement(
    name: str, by_kind: tuple[tuple[str, int], ...], cadences: tuple[int, ...], cap: int, counted: bool
) -> Any:
    """The list's first `cap` rows (with the total as a window count when `counted`)."""
    kinds = dict(by_kind)
    spec = LAPSED_LISTS[name]
    thresholds = {days: instant(f"lapse_{days}") for days in cadences}
    stmt = select(
        Contact.id, Contact.name, Contact.kind, Contact.cadence_days, Contact.created_at,
        Contact.last_interaction_at, Contact.last_in_person_at,
    ).where(Contact.user_id == USER_ID, *spec.conditions(kinds, thresholds))
    ratio = lapse_ratio_expr(bindparam("now_seconds", type_=Float()), spec.clock, kinds)
    return capped(stmt.order_by(ratio.desc(), Contact.id), cap, counted)


def lapsed_people(
    name: str,
    user: User,
    now: datetime,
    today: date,
    by_kind: dict[str, int],
    cap: int,
    cadences: set[int] | None = None,
    counted: bool = True,
) -> dict[str, Any]:
    """List `name` of LAPSED_LISTS for `user` at `now`: `{items, total}` (total None when not
    `counted`). `cadences`: every cadence in use (`known_cadences`; looked up when not given)."""
    if cadences is None:
        cadences = known_cadences(user, by_kind)
    thresholds = lapse_thresholds(user, today, cadences)
    stmt = _statement(name, tuple(sorted(by_kind.items())), tuple(thresholds), cap, counted)
    params: dict[str, Any] = {"user_id": user.id, "now_seconds": now.timestamp()}
    params.update({f"lapse_{days}": at for days, at in thresholds.items()})
    rows = db.session.execute(stmt, params).all()
    total = counted_total(rows) if counted else None
    clock = LAPSED_LISTS[name].clock.key
    items = []
    for row in rows:
        cadence = cadence_of(row.kind, row.cadence_days, by_kind)
        due = due_on(user, getattr(row, clock) or row.created_at, cadence)
        late = overdue_days(today, due)
        items.append(
            {
                "contact": {"id": row.id, "name": row.name},
                "kind": row.kind,
                "cadence_days": cadence,
                "last_interaction_at": row.last_interaction_at,
                "last_in_person_at": row.last_in_person_at,
                "due_on": due,
                "overdue_days": late,
                "overdue_ratio": round(late / cadence, 2),
            }
        )
    return {"items": items, "total": total}
