"""Calendars in the backup: names and masked hosts, never the secret feed address.

An uploaded calendar carries its file, so it restores whole and the worker re-reads it. A
feed calendar restores as a placeholder that does not sync (its address was never exported)
and says so; meetings are not backed up because they are re-read from the calendars.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from ..calendars.service import calendar_room, queue_first_sync
from ..extensions import db
from ..models import User, utcnow
from ..models.calendars import Calendar

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
RESTORED_URL_NOTE = "Restored from a backup without its address: add the feed again to sync it."


class CalendarEntrySchema(Schema):
    """One calendar in a backup."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True, validate=validate.OneOf(["url", "upload"]))
    url_hint = fields.String(load_default="", validate=validate.Length(max=200))
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)
    ics = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=UPLOAD_MAX_BYTES))


class CalendarsPart:
    """Backup part for the user's calendar sources."""

    key = "calendars"

    def export(self, user: User, refs: dict[int, int]) -> list[dict[str, Any]]:
        """Each calendar without its secret; uploaded files included."""
        rows = db.session.scalars(select(Calendar).where(Calendar.user_id == user.id).order_by(Calendar.id))
        out = []
        for calendar in rows:
            entry: dict[str, Any] = {
                "name": calendar.name,
                "source": calendar.source,
                "url_hint": calendar.url_hint or "",
                "created_at": calendar.created_at.isoformat() if calendar.created_at else None,
                "ics": None,
            }
            if calendar.source == "upload" and calendar.upload_body:
                body = zlib.decompressobj().decompress(calendar.upload_body, UPLOAD_MAX_BYTES + 1)
                if len(body) <= UPLOAD_MAX_BYTES:
                    entry["ics"] = body.decode("utf-8", errors="replace")
            out.append(entry)
        return out

    def load(self, entries: Any) -> list[dict[str, Any]]:
        """Validated entries."""
        return CalendarEntrySchema(many=True).load(entries)

    def is_empty(self, user: User) -> bool:
        """No calendars yet."""
        count = db.session.scalar(
            select(func.count()).select_from(Calendar).where(Calendar.user_id == user.id)
        )
        return not count

    def restore(
        self, user: User, entries: list[dict[str, Any]], ref_to_id: dict[int, int], merge: bool
    ) -> int:
        """Re-create calendars up to the per-user cap; when merging, one with the same name and
        source is kept."""
        now = utcnow()
        room = calendar_room(user)
        existing = {
            (c.name, c.source)
            for c in db.session.scalars(select(Calendar).where(Calendar.user_id == user.id))
        }
        added = 0
        for entry in entries:
            if merge and (entry["name"], entry["source"]) in existing:
                continue
            if added >= room:
                break  # the cap of the API holds for restores too
            calendar = Calendar(
                user_id=user.id,
                name=entry["name"],
                source=entry["source"],
                url_hint=entry["url_hint"],
                warnings=[],
                owner_emails=[],
                meeting_count=0,
                failure_count=0,
                created_at=entry["created_at"] or now,
            )
            if entry["source"] == "upload" and entry["ics"] is not None:
                data = entry["ics"].encode("utf-8")
                calendar.upload_body = zlib.compress(data, 6)
                calendar.content_hash = hashlib.sha256(data).hexdigest()
                queue_first_sync(calendar, now)
            else:
                calendar.next_sync_at = None
                calendar.last_error = RESTORED_URL_NOTE
            db.session.add(calendar)
            added += 1
        return added
