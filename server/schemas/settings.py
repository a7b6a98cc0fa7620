"""GET/PATCH /api/settings: the shared settings plus every notification kind's own."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from ..reminders.registry import all_kinds, option_view, setting_fields
from ..settings import SharedSettingsSchema


class KindSchema(Schema):
    """One notification kind as the settings screen lists it."""

    name = fields.String()
    label = fields.String()
    setting = fields.String()
    options = fields.List(fields.Dict())


def kind_list() -> list[dict[str, Any]]:
    """The kinds a user can switch, in screen order, with their options."""
    return [
        {
            "name": kind.name,
            "label": kind.label,
            "setting": kind.setting,
            "options": [option_view(o) for o in kind.options],
        }
        for kind in all_kinds()
        if kind.setting
    ]


SettingsSchema = type(
    "SettingsSchema",
    (SharedSettingsSchema,),
    {
        **setting_fields(),
        "kinds": fields.List(fields.Nested(KindSchema), dump_only=True),
        "__doc__": "What GET/PATCH /api/settings read and write.",
    },
)


class SettingsUpdateSchema(SettingsSchema):  # type: ignore[valid-type,misc]
    """PATCH /api/settings: any subset of the settings."""
