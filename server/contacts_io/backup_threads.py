"""Notes on a person in the backup, each maybe noted in a log entry: challenges and wins.

One part serves both: a row names its contact by ref and its log entry by the entry's `ref`,
and carries its own fields. A restore re-creates rows whose contact was restored, skipping
(when merging) a row the person already has with the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from ..extensions import db
from ..models import User
from ..models import interactions as models
from .backup_logbook import InteractionsPart, count_rows, owned_rows


class ChallengeEntrySchema(Schema):
    """Something a contact is going through."""

    contact = fields.Integer(required=True)
    interaction = fields.Integer(load_default=None, allow_none=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=5_000))
    noted_on = fields.Date(required=True)
    check_in_on = fields.Date(load_default=None, allow_none=True)
    resolved_at = fields.AwareDateTime(load_default=None, allow_none=True)
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)


class WinEntrySchema(Schema):
    """A contact's success."""

    contact = fields.Integer(required=True)
    interaction = fields.Integer(load_default=None, allow_none=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    happened_on = fields.Date(required=True)
    congratulated_at = fields.AwareDateTime(load_default=None, allow_none=True)
    big = fields.Boolean(load_default=False)
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


@dataclass
class ThreadPart:
    """Challenges or wins: rows of `model`, with `own` fields besides contact, log entry, text."""

    key: str
    model: Any
    schema: type[Schema]
    own: tuple[str, ...]
    interactions: InteractionsPart
    noted_already: Callable[[Any], bool] = lambda interaction: False

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Rows in creation order, for the people being exported."""
        interaction_refs = {
            row.id: ref for ref, row in enumerate(owned_rows(models.Interaction, user), start=1)
        }
        return [
            {
                "contact": refs[row.contact_id],
                "interaction": interaction_refs.get(row.interaction_id),
                "text": row.text,
                **{name: _plain(getattr(row, name)) for name in self.own},
                "created_at": _plain(row.created_at),
            }
            for row in owned_rows(self.model, user)
            if row.contact_id in refs
        ]

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validated entries."""
        return self.schema(many=True).load(entries)

    def is_empty(self, user: User) -> bool:
        """None of these rows yet."""
        return count_rows(self.model, user) == 0

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create rows whose contact was restored; returns how many were added."""
        added = 0
        by_ref = getattr(self.interactions, "by_ref", {})
        there = {(r.contact_id, r.text) for r in owned_rows(self.model, user)} if merge else set()
        for entry in entries:
            contact_id = ref_to_id.get(entry["contact"])
            if contact_id is None or (contact_id, entry["text"]) in there:
                continue
            interaction = by_ref.get(entry["interaction"]) if entry["interaction"] else None
            if interaction is not None and self.noted_already(interaction):
                continue  # merged into a log entry that already carries it
            row = self.model(
                user_id=user.id, contact_id=contact_id, text=entry["text"],
                interaction_id=interaction.id if interaction is not None else None,
                **{name: entry[name] for name in self.own},
            )
            if entry["created_at"]:
                row.created_at = entry["created_at"]
            db.session.add(row)
            added += 1
        return added


def challenges_part(interactions: InteractionsPart) -> ThreadPart:
    """Challenges, linked to their contact and (when noted in a log) their log entry."""
    return ThreadPart("challenges", models.Challenge, ChallengeEntrySchema,
                      ("noted_on", "check_in_on", "resolved_at"), interactions)


def wins_part(interactions: InteractionsPart) -> ThreadPart:
    """Wins; a log entry that already notes its win (one per entry) keeps that one."""
    return ThreadPart("wins", models.Win, WinEntrySchema,
                      ("happened_on", "congratulated_at", "big"), interactions,
                      noted_already=lambda interaction: interaction.win is not None)
