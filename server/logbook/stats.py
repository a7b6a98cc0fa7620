"""Per-contact figures (filled in by the give/take feature)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select

from ..models import User


def contact_stats(user: User, contact_ids: list[int], now: datetime) -> dict[int, dict[str, Any]]:
    """Stats for each contact id: gave, received, balance, last interaction, next due, overdue."""
    empty = {
        "gave": 0,
        "received": 0,
        "balance": 0,
        "last_interaction_at": None,
        "last_in_person_at": None,
        "next_due_on": None,
        "overdue_days": None,
    }
    return {cid: dict(empty) for cid in contact_ids}


def filter_overdue(stmt: Select[Any], user: User, now: datetime) -> Select[Any]:
    """Restrict a contacts query to people overdue by their cadence."""
    return stmt
