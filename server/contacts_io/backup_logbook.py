"""The give/take log in the backup: interactions with what was given and received (promises
included), follow-ups, challenges and wins.

People are named by contact ref and interactions by their own `ref` (1, 2, … in creation
order), so a restore re-creates the same document. Interaction UUIDs are not carried: they
are unique across the server, and a restored entry is a new entry. Meeting links are not
carried either: meetings are re-read from the calendars, so their ids do not survive.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models import interactions as models


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class ItemEntrySchema(Schema):
    """Something given or received; a 'gave' item may be a promise."""

    direction = fields.String(required=True, validate=validate.OneOf(["gave", "received"]))
    category = fields.String(
        required=True, validate=validate.OneOf(models.GIVE_TAKE_CATEGORIES)
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))
    contact = fields.Integer(load_default=None, allow_none=True)
    promised = fields.Boolean(load_default=False)
    due_on = fields.Date(load_default=None, allow_none=True)
    delivered_at = fields.AwareDateTime(load_default=None, allow_none=True)
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)


class InteractionEntrySchema(Schema):
    """One logged interaction."""

    ref = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(models.INTERACTION_KINDS))
    contacts = fields.List(fields.Integer(), load_default=list)
    notes = fields.String(load_default="", validate=validate.Length(max=20_000))
    challenge = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5_000))
    follow_up_on = fields.Date(load_default=None, allow_none=True)
    follow_up_done_at = fields.AwareDateTime(load_default=None, allow_none=True)
    follow_up_snoozed_until = fields.Date(load_default=None, allow_none=True)
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)
    updated_at = fields.AwareDateTime(load_default=None, allow_none=True)
    items = fields.List(fields.Nested(ItemEntrySchema), load_default=list)


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


def _interaction_key(occurred_at: datetime, kind: str, contact_ids: list[int], notes: str) -> tuple:
    return (occurred_at.timestamp(), kind, frozenset(contact_ids), notes or "")


def _rows(model: Any, user: User) -> list[Any]:
    return list(db.session.scalars(select(model).where(model.user_id == user.id).order_by(model.id)))


def _count(model: Any, user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user.id)) or 0


class InteractionsPart:
    """Interactions with their people and give/take items (promises and follow-ups inside)."""

    key = "interactions"

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Interactions in creation order, people as contact refs."""
        out = []
        for ref, row in enumerate(_rows(models.Interaction, user), start=1):
            out.append(
                {
                    "ref": ref,
                    "occurred_at": _iso(row.occurred_at),
                    "kind": row.kind,
                    "contacts": [refs[c] for c in row.contact_ids if c in refs],
                    "notes": row.notes or "",
                    "challenge": row.challenge,
                    "follow_up_on": _iso(row.follow_up_on),
                    "follow_up_done_at": _iso(row.follow_up_done_at),
                    "follow_up_snoozed_until": _iso(row.follow_up_snoozed_until),
                    "created_at": _iso(row.created_at),
                    "updated_at": _iso(row.updated_at),
                    "items": [
                        {
                            "direction": item.direction,
                            "category": item.category,
                            "note": item.note or "",
                            "contact": refs.get(item.contact_id) if item.contact_id else None,
                            "promised": bool(item.promised),
                            "due_on": _iso(item.due_on),
                            "delivered_at": _iso(item.delivered_at),
                            "created_at": _iso(item.created_at),
                        }
                        for item in row.items
                    ],
                }
            )
        return out

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validated entries."""
        return InteractionEntrySchema(many=True).load(entries)

    def is_empty(self, user: User) -> bool:
        """No interactions yet."""
        return _count(models.Interaction, user) == 0

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create interactions; refs to unknown contacts are dropped; a merge skips
        entries already there (same time, kind, people and notes)."""
        self.by_ref: dict[int, Any] = {}
        existing = {}
        if merge:
            for old in _rows(models.Interaction, user):
                existing[_interaction_key(old.occurred_at, old.kind, old.contact_ids, old.notes)] = old
        added = 0
        for entry in sorted(entries, key=lambda e: e["ref"]):
            people = [ref_to_id[r] for r in entry["contacts"] if r in ref_to_id]
            key = _interaction_key(entry["occurred_at"], entry["kind"], people, entry["notes"])
            if key in existing:
                self.by_ref[entry["ref"]] = existing[key]
                continue
            added += 1
            row = models.Interaction(
                uuid=str(uuid_module.uuid4()),
                user_id=user.id,
                occurred_at=entry["occurred_at"],
                kind=entry["kind"],
                notes=entry["notes"],
                challenge=entry["challenge"],
                follow_up_on=entry["follow_up_on"],
                follow_up_done_at=entry["follow_up_done_at"],
                follow_up_snoozed_until=entry["follow_up_snoozed_until"],
            )
            if entry["created_at"]:
                row.created_at = entry["created_at"]
            if entry["updated_at"]:
                row.updated_at = entry["updated_at"]
            seen: set[int] = set()
            for ref in entry["contacts"]:
                contact_id = ref_to_id.get(ref)
                if contact_id is not None and contact_id not in seen:
                    seen.add(contact_id)
                    row.contact_links.append(
                        models.InteractionContact(user_id=user.id, contact_id=contact_id)
                    )
            for item in entry["items"]:
                restored = models.GiveTakeItem(
                    user_id=user.id,
                    contact_id=ref_to_id.get(item["contact"]) if item["contact"] else None,
                    direction=item["direction"],
                    category=item["category"],
                    note=item["note"],
                    promised=item["promised"],
                    due_on=item["due_on"],
                    delivered_at=item["delivered_at"],
                )
                if item["created_at"]:
                    restored.created_at = item["created_at"]
                row.items.append(restored)
            db.session.add(row)
            self.by_ref[entry["ref"]] = row
        db.session.flush()
        return added


class ChallengesPart:
    """Challenges, linked to their contact and (when noted in a log) their interaction."""

    key = "challenges"

    def __init__(self, interactions: InteractionsPart) -> None:
        self.interactions = interactions

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Challenges in creation order."""
        interaction_refs = {row.id: ref for ref, row in enumerate(_rows(models.Interaction, user), start=1)}
        return [
            {
                "contact": refs[row.contact_id],
                "interaction": interaction_refs.get(row.interaction_id),
                "text": row.text,
                "noted_on": _iso(row.noted_on),
                "check_in_on": _iso(row.check_in_on),
                "resolved_at": _iso(row.resolved_at),
                "created_at": _iso(row.created_at),
            }
            for row in _rows(models.Challenge, user)
            if row.contact_id in refs
        ]

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validated entries."""
        return ChallengeEntrySchema(many=True).load(entries)

    def is_empty(self, user: User) -> bool:
        """No challenges yet."""
        return _count(models.Challenge, user) == 0

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create challenges whose contact was restored."""
        added = 0
        by_ref = getattr(self.interactions, "by_ref", {})
        there = {(r.contact_id, r.text) for r in _rows(models.Challenge, user)} if merge else set()
        for entry in entries:
            contact_id = ref_to_id.get(entry["contact"])
            if contact_id is None or (contact_id, entry["text"]) in there:
                continue
            interaction = by_ref.get(entry["interaction"]) if entry["interaction"] else None
            row = models.Challenge(
                user_id=user.id,
                contact_id=contact_id,
                interaction_id=interaction.id if interaction is not None else None,
                text=entry["text"],
                noted_on=entry["noted_on"],
                check_in_on=entry["check_in_on"],
                resolved_at=entry["resolved_at"],
            )
            if entry["created_at"]:
                row.created_at = entry["created_at"]
            db.session.add(row)
            added += 1
        return added


class WinsPart:
    """Wins to congratulate, linked to their contact and (when noted in a log) their interaction."""

    key = "wins"

    def __init__(self, interactions: InteractionsPart) -> None:
        self.interactions = interactions

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Wins in creation order."""
        interaction_refs = {row.id: ref for ref, row in enumerate(_rows(models.Interaction, user), start=1)}
        return [
            {
                "contact": refs[row.contact_id],
                "interaction": interaction_refs.get(row.interaction_id),
                "text": row.text,
                "happened_on": _iso(row.happened_on),
                "congratulated_at": _iso(row.congratulated_at),
                "big": row.big,
                "created_at": _iso(row.created_at),
            }
            for row in _rows(models.Win, user)
            if row.contact_id in refs
        ]

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validated entries."""
        return WinEntrySchema(many=True).load(entries)

    def is_empty(self, user: User) -> bool:
        """No wins yet."""
        return _count(models.Win, user) == 0

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create wins whose contact was restored."""
        added = 0
        there = {(r.contact_id, r.text) for r in _rows(models.Win, user)} if merge else set()
        for entry in entries:
            contact_id = ref_to_id.get(entry["contact"])
            if contact_id is None or (contact_id, entry["text"]) in there:
                continue
            interaction = self.interactions.by_ref.get(entry["interaction"] or 0)
            if interaction is not None and interaction.win is not None:
                continue  # merged into a log entry that already notes its win
            row = models.Win(
                user_id=user.id,
                contact_id=contact_id,
                interaction_id=interaction.id if interaction is not None else None,
                text=entry["text"],
                happened_on=entry["happened_on"],
                congratulated_at=entry["congratulated_at"],
                big=entry["big"],
            )
            if entry["created_at"]:
                row.created_at = entry["created_at"]
            db.session.add(row)
            added += 1
        return added
