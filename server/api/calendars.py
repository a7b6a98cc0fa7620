"""Calendar sources: add by URL or upload, list, rename, sync now, delete."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..calendars.service import (
    UPLOAD_MAX_BYTES,
    add_upload_calendar,
    add_url_calendar,
    get_calendar,
    list_calendars,
    request_sync,
)
from ..errors import ApiError
from ..extensions import account_key, db, limiter
from ..models import utcnow
from ..models.calendars import Calendar
from ..schemas.calendars import (
    CalendarCreateSchema,
    CalendarSchema,
    CalendarUpdateSchema,
    UploadFileSchema,
    UploadFormSchema,
)

blp = Blueprint("calendars", __name__, url_prefix="/api/calendars", description="Calendars")


@blp.route("", methods=["GET"])
@blp.response(200, CalendarSchema(many=True))
@login_required
def read_calendars() -> list[Calendar]:
    """The user's calendars with sync status."""
    return list_calendars(current_user)


@blp.route("", methods=["POST"])
@blp.arguments(CalendarCreateSchema)
@blp.response(201, CalendarSchema)
@login_required
def add_calendar(data: dict[str, Any]) -> Calendar:
    """Add an ICS feed URL (https:// or webcal://); the worker fetches it shortly."""
    calendar = add_url_calendar(
        current_user,
        data["name"],
        data["url"],
        utcnow(),
        bool(current_app.config.get("ALLOW_PRIVATE_URLS")),
        current_app.config["SECRET_KEY"],
    )
    db.session.commit()
    return calendar


@blp.route("/upload", methods=["POST"])
@blp.arguments(UploadFormSchema, location="form")
@blp.arguments(UploadFileSchema, location="files")
@blp.response(202, CalendarSchema, description="Stored; the worker reads it at once.")
@login_required
@limiter.limit(lambda: current_app.config["CALENDAR_UPLOAD_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["CALENDAR_UPLOAD_LIMIT_PER_USER"], key_func=account_key)
def upload_calendar(form: dict[str, Any], _files: dict[str, Any]) -> Calendar:
    """Upload an .ics file (multipart `file`); the worker reads it, poll the calendar's state."""
    upload = request.files["file"]
    data = upload.stream.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise ApiError(413, f"The file is larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB.")
    calendar = add_upload_calendar(current_user, form["name"], data, upload.filename or "", utcnow())
    db.session.commit()
    return calendar


@blp.route("/<int:calendar_id>", methods=["GET"])
@blp.response(200, CalendarSchema)
@login_required
def read_calendar(calendar_id: int) -> Calendar:
    """One calendar."""
    return get_calendar(current_user, calendar_id)


@blp.route("/<int:calendar_id>", methods=["PATCH"])
@blp.arguments(CalendarUpdateSchema)
@blp.response(200, CalendarSchema)
@login_required
def rename_calendar(data: dict[str, Any], calendar_id: int) -> Calendar:
    """Rename a calendar."""
    calendar = get_calendar(current_user, calendar_id)
    calendar.name = data["name"]
    db.session.commit()
    return calendar


@blp.route("/<int:calendar_id>/sync", methods=["POST"])
@blp.response(202, CalendarSchema)
@login_required
@limiter.limit(lambda: current_app.config["CALENDAR_SYNC_NOW_LIMIT"], key_func=account_key)
def sync_calendar_now(calendar_id: int) -> Calendar:
    """Sync now: the worker reads it within seconds; each calendar at most once a minute."""
    calendar = get_calendar(current_user, calendar_id)
    request_sync(calendar, utcnow())
    db.session.commit()
    return calendar


@blp.route("/<int:calendar_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_calendar(calendar_id: int) -> None:
    """Remove a calendar and its meetings (logged interactions stay)."""
    db.session.delete(get_calendar(current_user, calendar_id))
    db.session.commit()
