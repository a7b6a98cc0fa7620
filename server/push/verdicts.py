"""The send-time rules' verdicts on claimed rows: cancelled, skipped, held for quiet hours, or
go now."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..extensions import db
from ..models.push import Notification
from .lease import outcome_values
from .outgoing import DeliveryRules

log = logging.getLogger(__name__)

Answers = tuple[dict[int, str], dict[int, datetime]]  # reasons to cancel, quiet-hours ends


def answers(rows: list[Notification], now: datetime, rules: DeliveryRules) -> Answers:
    """The send-time rules' answers for these rows (a fixed number of queries for all)."""
    return rules.still_wanted(rows, now), rules.quiet_until(rows, now)


def judged(
    held: list[Notification], now: datetime, rules: DeliveryRules, states: dict[int, str]
) -> list[tuple[list[Notification], Answers]]:
    """The rules' answers for the whole batch; should they fail, row by row, so one row the
    rules cannot judge (marked "error", retried once its lease runs out) holds up no other."""
    try:
        return [(held, answers(held, now, rules))]
    except Exception:
        log.exception("send-time rules failed for notifications %s; judging them one by one",
                      [n.id for n in held])
        db.session.rollback()
    one_by_one = []
    for n in held:
        try:
            one_by_one.append(([n], answers([n], now, rules)))
        except Exception:
            log.exception("send-time rules failed for notification %s", n.id)
            db.session.rollback()
            states[n.id] = "error"
    return one_by_one


def verdict(
    n: Notification, now: datetime, reason: str | None, quiet_end: datetime | None
) -> dict[str, Any] | None:
    """How the rules settle a row before any push, or None when it should go out now."""
    if reason:
        return outcome_values(now, state="cancelled", outcome=reason)
    if n.expires_at is not None and now >= n.expires_at:
        return outcome_values(now, state="skipped",
                              outcome="too old to be useful by the time it was due")
    if quiet_end is None:
        return None
    if n.expires_at is not None and quiet_end >= n.expires_at:
        return outcome_values(now, state="skipped",
                              outcome="it would be stale when quiet hours end")
    return outcome_values(now, due_at=quiet_end, outcome="waiting for quiet hours to end")
