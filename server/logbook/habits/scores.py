"""The six habit blocks: each score from the window's figures, or None when there is not
enough to go on (the formulas are in the package's docstring)."""

from __future__ import annotations

import math
from typing import Any

from .friendship import as_utc

EMPATHY_TARGET_SHARE = 0.5
MIN_GIVE_TAKE = 3  # items given or received before giving is scored
MIN_LOGS = 3  # logs before empathy and unique voice are scored


def half_up(value: float) -> int:
    """Round to a whole number, halves up."""
    return int(math.floor(value + 0.5))


def _score(value: float) -> int:
    return half_up(100 * max(0.0, min(1.0, value)))


def _int(figures: dict[str, Any], key: str) -> int:
    # The period before reads only what its scores need; the other counts read 0 there.
    return int(figures.get(key) or 0)


def giving(figures: dict[str, Any]) -> dict[str, Any]:
    """Giving first: what I gave against what I received."""
    gave = _int(figures, "given") - _int(figures, "promises_open_in_window")
    received = _int(figures, "received")
    score = None
    if gave + received >= MIN_GIVE_TAKE:
        score = 100 if received == 0 else _score(gave / received)
    return {
        "score": score,
        "gave": gave,
        "received": received,
        "promises_made": _int(figures, "promises_made"),
        "promises_kept": _int(figures, "promises_kept"),
        "promises_overdue": _int(figures, "promises_overdue"),
    }


def empathy(figures: dict[str, Any]) -> dict[str, Any]:
    """Noting what is on their mind."""
    total = _int(figures, "logs")
    caring_logs = _int(figures, "caring_logs")
    score = _score(caring_logs / (EMPATHY_TARGET_SHARE * total)) if total >= MIN_LOGS else None
    return {
        "score": score,
        "logs": total,
        "caring_logs": caring_logs,
        "check_ins_overdue": _int(figures, "check_ins_overdue"),
        "challenges_resolved": _int(figures, "challenges_resolved"),
    }


def face_time(figures: dict[str, Any]) -> dict[str, Any]:
    """Core people met in person within their cadence."""
    core_contacts, tracked = _int(figures, "core_contacts"), _int(figures, "core_tracked")
    within, in_person_logs = _int(figures, "core_within"), _int(figures, "in_person")
    return {
        "score": _score(within / tracked) if tracked else None,
        "core_contacts": core_contacts,
        "core_tracked": tracked,
        "core_within_cadence": within,
        "in_person_logs": in_person_logs,
        "core_met_in_person": _int(figures, "core_met_in_person"),
        "in_person_per_core_contact": (
            round(in_person_logs / core_contacts, 2) if core_contacts else None
        ),
    }


def work(figures: dict[str, Any]) -> dict[str, Any]:
    """Everyone kept within their cadence, follow-ups done."""
    contacts, tracked, within = (
        _int(figures, "contacts"), _int(figures, "tracked"), _int(figures, "within")
    )
    return {
        "score": _score(within / tracked) if tracked else None,
        "contacts": contacts,
        "tracked": tracked,
        "within_cadence": within,
        "overdue": tracked - within,
        "follow_ups_done": _int(figures, "follow_ups_done"),
        "follow_ups_overdue": _int(figures, "follow_ups_overdue"),
    }


def unique_voice(figures: dict[str, Any], days: int) -> dict[str, Any]:
    """Outside perspectives heard and offered, against one a month each."""
    heard, offered = _int(figures, "heard"), _int(figures, "offered")
    expected = max(1, half_up(days / 30))
    score = None
    if _int(figures, "logs") >= MIN_LOGS:
        score = half_up(50 * min(1.0, heard / expected) + 50 * min(1.0, offered / expected))
    return {
        "score": score,
        "heard": heard,
        "offered": offered,
        "expected": expected,
        "mentor_logs": _int(figures, "mentor_logs"),
        "mentee_logs": _int(figures, "mentee_logs"),
        "last_heard_at": as_utc(figures.get("last_heard_at")),
        "last_offered_at": as_utc(figures.get("last_offered_at")),
    }


def friendship(figures: dict[str, Any], birthdays: int, greeted: int) -> dict[str, Any]:
    """Birthdays greeted and wins congratulated."""
    wins, congratulated = _int(figures, "wins"), _int(figures, "wins_congratulated")
    chances = birthdays + wins
    return {
        "score": _score((greeted + congratulated) / chances) if chances else None,
        "birthdays": birthdays,
        "greeted": greeted,
        "wins": wins,
        "wins_congratulated": congratulated,
    }
