"""User settings: time zone, notification timing, quiet hours, digest, cadences."""

from __future__ import annotations

from typing import Any

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..extensions import db
from ..schemas.settings import SettingsSchema, SettingsUpdateSchema, kind_list
from ..settings import get_settings, update_settings

blp = Blueprint("settings", __name__, url_prefix="/api/settings", description="Settings")


@blp.route("", methods=["GET"])
@blp.response(200, SettingsSchema)
@login_required
def read_settings() -> dict[str, Any]:
    """The user's settings with defaults filled in, and the notification kinds."""
    return {**get_settings(current_user), "kinds": kind_list()}


@blp.route("", methods=["PATCH"])
@blp.arguments(SettingsUpdateSchema(partial=True))
@blp.response(200, SettingsSchema)
@login_required
def change_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Change some settings."""
    merged = update_settings(current_user, data)
    db.session.commit()
    return {**merged, "kinds": kind_list()}
