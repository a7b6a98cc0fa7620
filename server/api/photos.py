"""Contact photos: the resized JPEG an import stored, served to the owner only."""

from __future__ import annotations

from flask import Response
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..models import Contact

blp = Blueprint("photos", __name__, url_prefix="/api/contacts", description="Contact photos")


@blp.route("/<int:contact_id>/photo", methods=["GET"])
@blp.response(200, content_type="image/jpeg")
@login_required
def contact_photo(contact_id: int) -> Response:
    """The contact's photo as a JPEG (404 when there is none, or for another user's contact)."""
    photo = db.session.scalar(
        select(Contact.photo).where(
            Contact.id == contact_id, Contact.user_id == current_user.id, Contact.has_photo
        )
    )
    if photo is None:
        raise ApiError(404, "No photo for this contact.")
    response = Response(photo, mimetype="image/jpeg")
    # The URL carries the contact's version, so a new photo gets a new address.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
