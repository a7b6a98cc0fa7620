"""Schemas for contacts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from ..models import CONTACT_KINDS
from . import PageArgsSchema, StrictSchema

PARTIAL_DATE = re.compile(r"^(?:(\d{4})|-)-(\d{2})-(\d{2})$")


def parse_partial_date(text: str) -> tuple[int | None, int, int]:
    """Read `YYYY-MM-DD` or `--MM-DD` (year unknown) into (year, month, day)."""
    match = PARTIAL_DATE.match(text)
    if not match:
        raise ValidationError("Use YYYY-MM-DD, or --MM-DD when the year is unknown.")
    year = int(match.group(1)) if match.group(1) else None
    month, day = int(match.group(2)), int(match.group(3))
    try:
        date(year if year is not None else 2000, month, day)  # 2000 is a leap year: --02-29 ok
    except ValueError:
        raise ValidationError("That date does not exist.") from None
    if year is not None and not 1800 <= year <= date.today().year:
        raise ValidationError("The year must be between 1800 and this year.")
    return year, month, day


def _validate_partial_date(text: str) -> None:
    parse_partial_date(text)


def _dedupe(values: list[str], lower: bool = False) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()
        key = value.lower() if lower else value
        if value and key not in seen:
            seen[key] = value.lower() if lower else value
    return list(seen.values())


class StatsSchema(Schema):
    """Figures computed from the log (give/take over the last 12 months)."""

    gave = fields.Integer()
    received = fields.Integer()
    balance = fields.Integer()
    last_interaction_at = fields.DateTime(allow_none=True)
    last_in_person_at = fields.DateTime(allow_none=True)
    next_due_on = fields.Date(allow_none=True)
    overdue_days = fields.Integer(allow_none=True)


class ContactSchema(StrictSchema):
    """A contact as the API reads and writes it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    emails = fields.List(
        fields.Email(validate=validate.Length(max=254)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    phones = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    company = fields.String(load_default="", validate=validate.Length(max=200))
    title = fields.String(load_default="", validate=validate.Length(max=200))
    birthday = fields.String(load_default=None, allow_none=True, validate=_validate_partial_date)
    anniversary = fields.String(load_default=None, allow_none=True, validate=_validate_partial_date)
    kind = fields.String(load_default="other", validate=validate.OneOf(CONTACT_KINDS))
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=30),
    )
    cadence_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, 3650)
    )
    face_time_days = fields.Integer(  # an in-person cadence of its own (e.g. lunch every 90)
        load_default=None, allow_none=True, validate=validate.Range(1, 3650)
    )
    how_met = fields.String(load_default="", validate=validate.Length(max=500))
    notes = fields.String(load_default="", validate=validate.Length(max=20_000))
    url = fields.String(load_default="", validate=validate.Length(max=500))
    stats = fields.Nested(StatsSchema, dump_only=True, attribute="stats_cache")
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "emails" in data:
            data["emails"] = _dedupe(data["emails"], lower=True)
        if "tags" in data:
            data["tags"] = _dedupe(data["tags"])
        if "phones" in data:
            data["phones"] = _dedupe(data["phones"])
        return data


class ContactUpdateSchema(ContactSchema):
    """PATCH a contact: any subset of the fields."""


class ContactListArgsSchema(PageArgsSchema):
    """Search and filters for the contact list."""

    q = fields.String(load_default="", validate=validate.Length(max=200))
    tag = fields.String(load_default=None, validate=validate.Length(max=60))
    kind = fields.String(load_default=None, validate=validate.OneOf(CONTACT_KINDS))
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="name", validate=validate.OneOf(["name", "recent", "created"]))
