"""The parts of a backup beyond contacts and the account, one per feature that owns records.

Each part exports its records with contact refs instead of ids, validates a document's
entries before anything is written, and restores them with refs mapped to new ids.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..models import User


class BackupPart(Protocol):
    """What a backed-up feature provides."""

    key: str

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Records as JSON-ready dicts; `refs` maps contact id → ref."""

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validate a document's entries; raise marshmallow.ValidationError when invalid."""

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Write validated entries; returns how many were added."""

    def is_empty(self, user: User) -> bool:
        """True when the user has none of these records."""


def backup_parts() -> list[BackupPart]:
    """Every part, in the order they appear in the document."""
    from .backup_calendars import CalendarsPart
    from .backup_logbook import InteractionsPart
    from .backup_threads import challenges_part, wins_part

    interactions = InteractionsPart()
    return [interactions, challenges_part(interactions), wins_part(interactions), CalendarsPart()]
