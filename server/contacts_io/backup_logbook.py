"""The give/take log in the backup: interactions with what was given and received (promises
included) and follow-ups; challenges and wins noted in them are `backup_threads.py`'s.

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


def _interaction_key(occurred_at: datetime, kind: str, contact_ids: list[int], notes: str) -> tuple:
    return (occurred_at.timestamp(), kind, frozenset(contact_ids), notes or "")


def owned_rows(model: Any, user: User) -> list[Any]:
    """The user's rows of `model`, in creation order."""
    return list(db.session.scalars(select(model).where(model.user_id == user.id).order_by(model.id)))


def count_rows(model: Any, user: User) -> int:
    """How many rows of `model` the user has."""
    return db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user.id)) or 0


class InteractionsPart:
    """Interactions with their people and give/take items (promises and follow-ups inside)."""

    key = "interactions"

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Interactions in creation order, people as contact refs."""
        out = []
        for ref, row in enumerate(owned_rows(models.Interaction, user), start=1):
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
        return count_rows(models.Interaction, user) == 0

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create interactions; refs to unknown contacts are dropped; a merge skips
        entries already there (same time, kind, people and notes)."""
        self.by_ref: dict[int, Any] = {}
        existing = {}
        if merge:
            for old in owned_rows(models.Interaction, user):
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
