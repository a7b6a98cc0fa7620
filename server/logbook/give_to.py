"""Who to give to this week, and why: the one list behind the week page and the weekly digest.

Reasons, most pressing first: a promise you owe them, a win to congratulate, a challenge whose
check-in comes this week, a birthday this week, past your keep-in-touch rhythm, you took more
than you gave. Each person appears once, with their most pressing reason. Every source is a
capped query, so the cost follows the list's length, not the number of contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..models import User
from .cadence import user_cadences
from .clock import local_today
from .habits.coach import PROMISED
from .lapsed import lapsed_people
from .today import (
    check_ins_due,
    give_first,
    open_promises,
    upcoming_birthdays,
    wins_to_congratulate,
)

WEEK_DAYS = 7


@dataclass(frozen=True)
class GiveTo:
    """One person and why: `note` follows their name in a push, `text` is a whole sentence."""

    contact: dict[str, Any]  # {"id", "name"}
    reason: str
    note: str
    text: str


def short(text: str, limit: int = 60) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Window:
    """What every source is asked: whose list, from which day, how many."""

    user: User
    now: datetime
    today: date  # the user's
    first: date
    limit: int


def _promises(w: Window) -> Iterator[GiveTo]:
    for promise in open_promises(w.user, w.today, w.limit)["items"]:
        for person in promise["people"][:1]:
            what = short(promise["note"] or PROMISED.get(promise["category"], "something"))
            late = " — it is overdue" if promise["overdue"] else ""
            yield GiveTo(person, "promise", f"you promised {what}",
                         f"You promised {person['name']} {what}{late}.")


def _wins(w: Window) -> Iterator[GiveTo]:
    for win in wins_to_congratulate(w.user, w.limit)["items"]:
        person, text = win["contact"], short(win["text"])
        yield GiveTo(person, "win", f"congratulate: {text}", f"Congratulate {person['name']}: {text}.")


def _challenges(w: Window) -> Iterator[GiveTo]:
    last = w.first + timedelta(days=WEEK_DAYS - 1)
    for challenge in check_ins_due(w.user, last, w.limit)["items"]:
        person, text = challenge["contact"], short(challenge["text"])
        yield GiveTo(person, "challenge", f"ask about {text}",
                     f"Ask {person['name']} how “{text}” is going.")


def _birthdays(w: Window) -> Iterator[GiveTo]:
    for row in upcoming_birthdays(w.user, w.first, w.limit, days=WEEK_DAYS - 1)["items"]:
        person, on = row["contact"], row["on"]
        when = {0: "today", 1: "tomorrow"}.get((on - w.today).days, f"on {on:%A}")
        yield GiveTo(person, "birthday", f"birthday {on:%A}", f"{person['name']}'s birthday is {when}.")


def _drifting(w: Window) -> Iterator[GiveTo]:
    by_kind, cadences = user_cadences(w.user)
    lapsed = lapsed_people("overdue", w.user, w.now, w.today, by_kind, w.limit, cadences)
    for row in lapsed["items"]:
        person, late = row["contact"], row["overdue_days"]
        yield GiveTo(person, "drifting", f"{late} days past your usual",
                     f"{person['name']} is {late} days past your {row['cadence_days']}-day rhythm.")


def _balance(w: Window) -> Iterator[GiveTo]:
    for row in give_first(w.user, w.now, w.limit)["items"]:
        person, owed = row["contact"], -row["balance"]
        yield GiveTo(person, "balance", f"you got {owed} more than you gave",
                     f"You got {owed} more from {person['name']} than you gave.")


# Most pressing first; a person keeps the first reason found for them.
SOURCES: tuple[Callable[[Window], Iterator[GiveTo]], ...] = (
    _promises, _wins, _challenges, _birthdays, _drifting, _balance,
)


def people_to_give_to(user: User, now: datetime, limit: int, first: date | None = None
                      ) -> list[GiveTo]:
    """Up to `limit` people for the week starting `first` (default: the user's today)."""
    today = local_today(user, now)
    window = Window(user, now, today, first or today, limit)
    chosen: dict[int, GiveTo] = {}
    for source in SOURCES:
        for item in source(window):
            if item.contact.get("name") and item.contact["id"] not in chosen:
                chosen[item.contact["id"]] = item
        if len(chosen) >= limit:
            break
    return list(chosen.values())[:limit]
