"""Schemas for calendars and meetings."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import StrictSchema

MAX_ID = 2**31 - 1


class CalendarSchema(Schema):
    """A calendar source as the API shows it (the URL only masked)."""

    id = fields.Integer()
    name = fields.String()
    source = fields.String()
    url = fields.String(attribute="url_hint")
    last_synced_at = fields.DateTime(allow_none=True)
    next_sync_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "Why the last sync "
                               "failed (or found nothing), in plain words."})
    problem = fields.String(allow_none=True, metadata={"description": "The kind of failure: "
                            "unreachable, needs_secret, not_calendar, only_past, ..."})
    state = fields.String(attribute="sync_state", metadata={"description": "queued, fetching, "
                          "reading or idle; poll while it is not idle."})
    warnings = fields.List(fields.String())
    meeting_count = fields.Integer()
    known_count = fields.Integer(metadata={"description": "Meetings with someone you know."})
    created_at = fields.DateTime()


class CalendarCreateSchema(StrictSchema):
    """Add a feed by URL."""

    name = fields.String(load_default="", validate=validate.Length(max=200))
    url = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class CalendarUpdateSchema(StrictSchema):
    """Rename a calendar."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UploadFormSchema(Schema):
    """Multipart upload: an optional name beside the file."""

    name = fields.String(load_default="", validate=validate.Length(max=200))


class UploadFileSchema(Schema):
    """The uploaded .ics file."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class MeetingArgsSchema(Schema):
    """Query string of GET /api/meetings."""

    from_ = fields.DateTime(data_key="from", load_default=None)
    to = fields.DateTime(load_default=None)
    unlogged = fields.Boolean(load_default=False)
    include_cancelled = fields.Boolean(load_default=False)
    calendar_id = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))

    @validates_schema
    def _check_range(self, data: dict[str, Any], **_: Any) -> None:
        for key in ("from_", "to"):
            value = data.get(key)
            if value is not None and value.tzinfo is None:
                raise ValidationError("Give a time with its offset, e.g. 2026-05-01T00:00:00Z.", key)
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("'to' must not be before 'from'.", "to")


class AttendeeSchema(Schema):
    """Someone on a meeting and the contact they are (or might be)."""

    id = fields.Integer()
    email = fields.String(allow_none=True)
    name = fields.String()
    is_organizer = fields.Boolean()
    partstat = fields.String()
    from_title = fields.Boolean()
    contact_id = fields.Integer(allow_none=True)
    contact_name = fields.String(allow_none=True)
    suggested_contact_id = fields.Integer(allow_none=True)
    suggested_contact_name = fields.String(allow_none=True)


class MeetingSchema(Schema):
    """A meeting occurrence with attendees and log status."""

    id = fields.Integer()
    calendar_id = fields.Integer()
    title = fields.String()
    location = fields.String()
    start = fields.DateTime()
    end = fields.DateTime()
    status = fields.String()
    my_response = fields.String(allow_none=True)
    has_others = fields.Boolean()
    needs_log = fields.Boolean()
    logged = fields.Boolean()
    attendees = fields.List(fields.Nested(AttendeeSchema))


class MeetingListSchema(Schema):
    """GET /api/meetings."""

    items = fields.List(fields.Nested(MeetingSchema))


class ConfirmSchema(StrictSchema):
    """Confirm an attendee is a contact (the suggested one when omitted)."""

    contact_id = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))


class AttendeeContactSchema(StrictSchema):
    """Create a contact from an attendee; fields default to what the invitation says."""

    name = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
