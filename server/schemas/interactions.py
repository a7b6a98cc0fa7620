"""Schemas for the give/take log: interactions, promises, wins, challenges, follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..models.interactions import GIVE_TAKE_CATEGORIES, INTERACTION_KINDS
from . import PageArgsSchema, StrictSchema

ID_RANGE = validate.Range(min=1, max=2**31 - 1)
CONTACT_ID = fields.Integer(strict=True, validate=ID_RANGE)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
DAY_RANGE = validate.Range(min=FIRST_DAY, max=LAST_DAY, error="Pick a date between 1900 and 2199.")


def _sane_instant(value: datetime) -> None:
    """Refuse instants outside 1900–2199 (and ones too extreme to convert to UTC)."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError("Pick a time between 1900 and 2199.") from None
    if not FIRST_DAY <= utc.date() <= LAST_DAY:
        raise ValidationError("Pick a time between 1900 and 2199.")


def Day(**kwargs: Any) -> fields.Date:  # noqa: N802 - reads like a field class
    """A date field limited to 1900–2199."""
    return fields.Date(validate=DAY_RANGE, **kwargs)


def Id(**kwargs: Any) -> fields.Integer:  # noqa: N802 - reads like a field class
    """An id field limited to the INTEGER range."""
    return fields.Integer(validate=ID_RANGE, **kwargs)


class PersonRefSchema(Schema):
    """A contact named in a row: enough to render and link it."""

    id = fields.Integer()
    name = fields.String()


class ItemInSchema(StrictSchema):
    """Something given or received; `id` addresses an existing item when editing."""

    id = Id(load_default=None, allow_none=True)
    category = fields.String(required=True, validate=validate.OneOf(GIVE_TAKE_CATEGORIES))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    contact_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "The one person it was for; null: everyone in the log."},
    )
    promised = fields.Boolean(load_default=False)
    due_on = Day(load_default=None, allow_none=True)

    @validates_schema
    def _due_needs_promise(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("due_on") and not data.get("promised"):
            raise ValidationError("Only a promise has a due date.", "due_on")


class ReceivedItemInSchema(ItemInSchema):
    """Something received: never a promise."""

    @validates_schema
    def _not_a_promise(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("promised"):
            raise ValidationError("Only something you gave can be a promise.", "promised")


class LogWinInSchema(StrictSchema):
    """A win noted in a log entry: whose (one of the log's people; default the first) and what."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    big = fields.Boolean(load_default=False)
    contact_id = Id(load_default=None, allow_none=True)


class InteractionInSchema(StrictSchema):
    """PUT /api/interactions/<uuid>: the whole log entry."""

    occurred_at = fields.AwareDateTime(required=True, validate=_sane_instant)
    kind = fields.String(required=True, validate=validate.OneOf(INTERACTION_KINDS))
    contact_ids = fields.List(CONTACT_ID, required=True, validate=validate.Length(min=1, max=50))
    meeting_id = Id(load_default=None, allow_none=True)
    gave = fields.List(
        fields.Nested(ItemInSchema), load_default=list, validate=validate.Length(max=30)
    )
    received = fields.List(
        fields.Nested(ReceivedItemInSchema), load_default=list, validate=validate.Length(max=30)
    )
    notes = fields.String(load_default="", validate=validate.Length(max=20_000))
    challenge = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    challenge_check_in_on = Day(load_default=None, allow_none=True)
    follow_up_on = Day(load_default=None, allow_none=True)
    win = fields.Nested(
        LogWinInSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "A win this log notes; it happened on the log's day."},
    )

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["occurred_at"] = data["occurred_at"].astimezone(UTC)
        data["contact_ids"] = list(dict.fromkeys(data["contact_ids"]))
        data["challenge"] = data.get("challenge") or None
        return data


class ItemSchema(Schema):
    """A given or received item as stored."""

    id = fields.Integer()
    category = fields.String()
    note = fields.String()
    contact_id = fields.Integer(allow_none=True)
    promised = fields.Boolean()
    due_on = Day(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)


class LogWinSchema(Schema):
    """The win a log entry noted."""

    id = fields.Integer()
    contact_id = fields.Integer()
    text = fields.String()
    big = fields.Boolean()
    happened_on = Day()
    congratulated_at = fields.DateTime(allow_none=True)


class InteractionSchema(Schema):
    """A log entry as the API returns it."""

    uuid = fields.String()
    occurred_at = fields.DateTime()
    kind = fields.String()
    contact_ids = fields.List(fields.Integer())
    people = fields.List(fields.Nested(PersonRefSchema))
    meeting_id = fields.Integer(allow_none=True)
    gave = fields.List(fields.Nested(ItemSchema))
    received = fields.List(fields.Nested(ItemSchema))
    notes = fields.String()
    challenge = fields.String(allow_none=True)
    follow_up_on = Day(allow_none=True)
    follow_up_due_on = Day(allow_none=True)
    follow_up_done_at = fields.DateTime(allow_none=True)
    follow_up_snoozed_until = Day(allow_none=True)
    win = fields.Nested(LogWinSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InteractionListArgsSchema(PageArgsSchema):
    """Filters for the log: person, local date range (inclusive), kind, meeting."""

    contact_id = Id(load_default=None)
    from_ = Day(load_default=None, data_key="from")
    to = Day(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(INTERACTION_KINDS))
    meeting_id = Id(load_default=None)

    @post_load
    def _rename(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["from"] = data.pop("from_", None)
        if data["from"] and data["to"] and data["from"] > data["to"]:
            raise ValidationError("`from` is after `to`.", "to")
        return data


class PromiseSchema(Schema):
    """A promise: something I said I would give."""

    id = fields.Integer()
    category = fields.String()
    note = fields.String()
    due_on = Day(allow_none=True)
    overdue = fields.Boolean()
    delivered_at = fields.DateTime(allow_none=True)
    interaction_uuid = fields.String()
    occurred_at = fields.DateTime()
    people = fields.List(fields.Nested(PersonRefSchema))


class PromiseListArgsSchema(PageArgsSchema):
    """Promises of one person, open ones only by default."""

    contact_id = Id(load_default=None)
    open = fields.Boolean(load_default=True)


class WinInSchema(StrictSchema):
    """A contact's success."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    happened_on = Day(required=True)
    big = fields.Boolean(load_default=False)  # a one-year anniversary nudge when true


class WinSchema(Schema):
    """A win as the API shows it."""

    id = fields.Integer()
    contact = fields.Nested(PersonRefSchema)
    text = fields.String()
    happened_on = Day()
    big = fields.Boolean()
    congratulated_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class WinListArgsSchema(PageArgsSchema):
    """Wins, of one person or all; `open=1`: still to congratulate."""

    contact_id = Id(load_default=None)
    open = fields.Boolean(load_default=False)


class ChallengeInSchema(StrictSchema):
    """A challenge noted on a contact directly."""

    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    check_in_on = Day(load_default=None, allow_none=True)


class ChallengeUpdateSchema(StrictSchema):
    """PATCH a challenge: check-in date (null clears), text, or reopen with resolved=false."""

    check_in_on = Day(allow_none=True)
    text = fields.String(validate=validate.Length(min=1, max=2000))
    resolved = fields.Boolean(validate=validate.Equal(False, error="Use POST …/resolve."))


class ChallengeSchema(Schema):
    """A challenge as the API shows it."""

    id = fields.Integer()
    contact = fields.Nested(PersonRefSchema)
    interaction_uuid = fields.String(allow_none=True)
    text = fields.String()
    noted_on = Day()
    check_in_on = Day(allow_none=True)
    check_in_due = fields.Boolean()
    resolved_at = fields.DateTime(allow_none=True)


class ChallengeListArgsSchema(PageArgsSchema):
    """Challenges, of one person or all; `open=1`: not resolved."""

    contact_id = Id(load_default=None)
    open = fields.Boolean(load_default=False)


class FollowUpSchema(Schema):
    """A follow-up from a log entry."""

    interaction_uuid = fields.String()
    occurred_at = fields.DateTime()
    kind = fields.String()
    people = fields.List(fields.Nested(PersonRefSchema))
    notes = fields.String()
    challenge = fields.String(allow_none=True)
    follow_up_on = Day()
    snoozed_until = Day(allow_none=True)
    due_on = Day(allow_none=True)
    overdue_days = fields.Integer()
    done_at = fields.DateTime(allow_none=True)


class FollowUpListArgsSchema(PageArgsSchema):
    """Open follow-ups; `due=1`: only those due today or earlier (user's zone)."""

    due = fields.Boolean(load_default=False)


class SnoozeSchema(StrictSchema):
    """Snooze a follow-up to a day, or by a number of days."""

    until = Day(load_default=None, allow_none=True)
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 365))

    @validates_schema
    def _one_of(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("until")) == bool(data.get("days")):
            raise ValidationError("Give either `until` or `days`.", "until")
