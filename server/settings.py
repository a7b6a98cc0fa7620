"""Per-user settings: defaults, validation and read/update.

The switches and options of each notification kind are declared by the kind itself (see
`reminders.registry`); this module holds the settings shared by every kind.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import Schema, ValidationError, fields, validate, validates

from .models import CONTACT_KINDS, User
from .reminders.registry import setting_defaults

DEFAULT_CADENCE_BY_KIND: dict[str, int] = {
    "mentor": 60,
    "mentee": 60,
    "client": 30,
    "peer": 90,
    "friend": 120,
    "other": 180,
}

DEFAULTS: dict[str, Any] = {
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:00",
    "notify_time": "09:00",
    "my_emails": [],
    "cadence_by_kind": DEFAULT_CADENCE_BY_KIND,
    "fallback_channels": ["email"],  # when no device takes a push (e-mail needs SMTP set up)
    "ntfy_topic_url": "",
    "channel_details": False,  # e-mail and ntfy carry the details (they may quote notes)
}
CHANNEL_NAMES = ("email", "ntfy")

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ZONES: frozenset[str] | None = None


def is_valid_timezone(name: str) -> bool:
    """True for an IANA zone name this machine knows (e.g. Europe/Berlin)."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if name not in _ZONES and name != "UTC":
        return False
    try:
        ZoneInfo(name)
    except Exception:
        return False
    return True


def validate_timezone(name: str) -> None:
    """Marshmallow validator for IANA time zone names."""
    if not is_valid_timezone(name):
        raise ValidationError("Unknown time zone; use an IANA name such as Europe/London.")


def get_settings(user: User) -> dict[str, Any]:
    """The user's settings merged over the defaults (time zone included)."""
    stored = user.settings or {}
    defaults = {**setting_defaults(), **DEFAULTS}
    merged = {key: stored.get(key, default) for key, default in defaults.items()}
    merged["cadence_by_kind"] = {**DEFAULT_CADENCE_BY_KIND, **(stored.get("cadence_by_kind") or {})}
    merged["timezone"] = user.timezone
    return merged


class CadenceByKindSchema(Schema):
    """Keep-in-touch cadence in days for each relationship kind."""

    mentor = fields.Integer(validate=validate.Range(1, 3650))
    mentee = fields.Integer(validate=validate.Range(1, 3650))
    peer = fields.Integer(validate=validate.Range(1, 3650))
    client = fields.Integer(validate=validate.Range(1, 3650))
    friend = fields.Integer(validate=validate.Range(1, 3650))
    other = fields.Integer(validate=validate.Range(1, 3650))


class SharedSettingsSchema(Schema):
    """The settings every kind shares; `schemas.settings` adds each kind's own."""

    timezone = fields.String(validate=validate_timezone)
    quiet_hours_start = fields.String(validate=validate.Regexp(HHMM, error="Use HH:MM."))
    quiet_hours_end = fields.String(validate=validate.Regexp(HHMM, error="Use HH:MM."))
    notify_time = fields.String(validate=validate.Regexp(HHMM, error="Use HH:MM."))
    my_emails = fields.List(
        fields.Email(validate=validate.Length(max=254)), validate=validate.Length(max=20)
    )
    cadence_by_kind = fields.Nested(CadenceByKindSchema)
    fallback_channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNEL_NAMES)), validate=validate.Length(max=2)
    )
    ntfy_topic_url = fields.String(validate=validate.Length(max=500))
    channel_details = fields.Boolean()

    @validates("ntfy_topic_url")
    def _topic_url(self, value: str, **_: Any) -> None:
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValidationError("Use the topic's full address, e.g. https://ntfy.sh/my-topic.")

    @validates("cadence_by_kind")
    def _known_kinds(self, value: dict[str, int], **_: Any) -> None:
        unknown = set(value) - set(CONTACT_KINDS)
        if unknown:
            raise ValidationError(f"Unknown kinds: {', '.join(sorted(unknown))}")


def update_settings(user: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply validated changes to the user's settings; returns the merged settings."""
    stored = dict(user.settings or {})
    for key, value in changes.items():
        if key == "timezone":
            user.timezone = value
        elif key == "cadence_by_kind":
            stored[key] = {**(stored.get(key) or {}), **value}
        elif key == "my_emails":
            stored[key] = sorted({e.strip().lower() for e in value})
        elif key == "fallback_channels":
            stored[key] = list(dict.fromkeys(value))  # keep the order, drop repeats
        elif key == "birthday_lead_days":
            stored[key] = sorted(set(value), reverse=True)
        else:
            stored[key] = value
    user.settings = stored  # a new dict, so SQLAlchemy sees the change
    return get_settings(user)
