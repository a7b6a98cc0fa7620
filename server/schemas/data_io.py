"""Schemas for import, export, backup and the outgoing calendar feed."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..settings import validate_timezone
from .contacts import ContactSchema
from .settings import SettingsSchema


class ImportArgsSchema(Schema):
    """Query arguments of POST /api/contacts/import."""

    dry_run = fields.Boolean(load_default=False)


class CardErrorSchema(Schema):
    """One card that was not imported: its position in the file, its name, the problem."""

    card = fields.Integer()
    name = fields.String()
    message = fields.String()


class SkippedCardSchema(Schema):
    """One card that changed nothing, and why."""

    card = fields.Integer()
    name = fields.String()
    reason = fields.String()


class ImportReportSchema(Schema):
    """What an import did (or, with dry_run, would do)."""

    format = fields.String(metadata={"description": "vcard, csv or linkedin"})
    total = fields.Integer(metadata={"description": "cards (or rows) in the file"})
    created = fields.Integer()
    updated = fields.Integer(metadata={"description": "cards that added to an existing contact"})
    merged = fields.Integer(metadata={"description": "cards merged into a card earlier in the file"})
    skipped = fields.Integer(metadata={"description": "cards that wrote nothing: errors + skipped"})
    skipped_cards = fields.List(fields.Nested(SkippedCardSchema))
    errors = fields.List(fields.Nested(CardErrorSchema))
    dry_run = fields.Boolean()


class VcardExportArgsSchema(Schema):
    """Query arguments of GET /api/contacts/export.vcf."""

    birthday_style = fields.String(
        load_default="apple",
        validate=validate.OneOf(["apple", "google"]),
        metadata={"description": "how dates without a year are written (see the writer)"},
    )


class RestoreArgsSchema(Schema):
    """Query arguments of POST /api/import.json."""

    merge = fields.Boolean(load_default=False)


class RestoreReportSchema(Schema):
    """How many of each kind of record a restore added."""

    restored = fields.Dict(keys=fields.String(), values=fields.Integer())
    merged = fields.Boolean()


class FeedUrlSchema(Schema):
    """The private outgoing calendar feed address."""

    url = fields.String(allow_none=True)
    webcal_url = fields.String(allow_none=True)


class BackupContactSchema(ContactSchema):
    """A contact inside a backup: the API fields plus its ref and its times."""

    class Meta:
        exclude = ("id", "stats", "updated_at")

    ref = fields.Integer(required=True, validate=validate.Range(min=1))
    created_at = fields.AwareDateTime(load_default=None, allow_none=True)
    last_interaction_at = fields.AwareDateTime(load_default=None, allow_none=True)
    last_in_person_at = fields.AwareDateTime(load_default=None, allow_none=True)


class BackupAccountSchema(Schema):
    """Profile and settings carried by a backup (never the e-mail or password)."""

    name = fields.String(validate=validate.Length(max=200))
    timezone = fields.String(validate=validate_timezone)
    settings = fields.Nested(SettingsSchema(partial=True, unknown=EXCLUDE), load_default=dict)


class BackupSchema(Schema):
    """The whole backup document; every part is validated before anything is written."""

    class Meta:
        unknown = EXCLUDE

    format = fields.String(required=True, validate=validate.Equal("rapport-backup"))
    version = fields.Integer(required=True, validate=validate.Range(1, 1))
    exported_at = fields.String(allow_none=True)
    account = fields.Nested(BackupAccountSchema, load_default=dict)
    contacts = fields.List(fields.Nested(BackupContactSchema), load_default=list)

    @validates_schema
    def _refs_unique(self, data: dict[str, Any], **_: Any) -> None:
        refs = [c["ref"] for c in data.get("contacts", [])]
        if len(refs) != len(set(refs)):
            raise ValidationError("Contact refs must be unique.", "contacts")
