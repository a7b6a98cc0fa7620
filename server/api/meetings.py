"""Meetings read from calendars, and linking their attendees to contacts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..calendars.service import (
    confirm,
    contact_from_attendee,
    dismiss,
    get_attendee,
    get_meeting,
    list_meetings,
    one_meeting_view,
    skip_log,
)
from ..extensions import db
from ..models import utcnow
from ..schemas.calendars import (
    AttendeeContactSchema,
    ConfirmSchema,
    MeetingArgsSchema,
    MeetingListSchema,
    MeetingSchema,
)

blp = Blueprint("meetings", __name__, url_prefix="/api/meetings", description="Meetings")


@blp.route("", methods=["GET"])
@blp.arguments(MeetingArgsSchema, location="query")
@blp.response(200, MeetingListSchema)
@login_required
def read_meetings(args: dict[str, Any]) -> dict[str, Any]:
    """Meetings in a range with attendees, matched contacts and log status."""
    return {"items": list_meetings(current_user, args, utcnow())}


@blp.route("/<int:meeting_id>", methods=["GET"])
@blp.response(200, MeetingSchema)
@login_required
def read_meeting(meeting_id: int) -> dict[str, Any]:
    """One meeting (the log form prefills from it)."""
    return one_meeting_view(current_user, get_meeting(current_user, meeting_id), utcnow())


@blp.route("/<int:meeting_id>/skip", methods=["PUT"])
@blp.response(200, MeetingSchema)
@login_required
def skip_meeting_log(meeting_id: int) -> dict[str, Any]:
    """Not worth logging: close this meeting's prompt (safe to replay from the offline outbox)."""
    meeting = get_meeting(current_user, meeting_id)
    skip_log(meeting, utcnow())
    db.session.commit()
    return one_meeting_view(current_user, meeting, utcnow())


@blp.route("/<int:meeting_id>/attendees/<int:attendee_id>/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema)
@blp.response(200, MeetingSchema)
@login_required
def confirm_attendee(data: dict[str, Any], meeting_id: int, attendee_id: int) -> dict[str, Any]:
    """This attendee is that contact (the suggestion by default); remembers the address."""
    meeting = get_meeting(current_user, meeting_id)
    confirm(current_user, meeting, get_attendee(meeting, attendee_id), data["contact_id"])
    db.session.commit()
    return one_meeting_view(current_user, meeting, utcnow())


@blp.route("/<int:meeting_id>/attendees/<int:attendee_id>/dismiss", methods=["POST"])
@blp.response(200, MeetingSchema)
@login_required
def dismiss_suggestion(meeting_id: int, attendee_id: int) -> dict[str, Any]:
    """Reject a suggested contact."""
    meeting = get_meeting(current_user, meeting_id)
    dismiss(meeting, get_attendee(meeting, attendee_id))
    db.session.commit()
    return one_meeting_view(current_user, meeting, utcnow())


@blp.route("/<int:meeting_id>/attendees/<int:attendee_id>/contact", methods=["POST"])
@blp.arguments(AttendeeContactSchema)
@blp.response(201, MeetingSchema)
@login_required
def create_contact_from_attendee(
    data: dict[str, Any], meeting_id: int, attendee_id: int
) -> dict[str, Any]:
    """Create a contact from an attendee (name and e-mail prefilled) and link it."""
    meeting = get_meeting(current_user, meeting_id)
    contact_from_attendee(
        current_user,
        meeting,
        get_attendee(meeting, attendee_id),
        data["name"],
        current_app.config["CONTACTS_PER_USER_MAX"],
    )
    db.session.commit()
    return one_meeting_view(current_user, meeting, utcnow())
