"""The weekly look-back the digest push opens (/week)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..logbook.week import build_week
from ..models import utcnow
from ..schemas.dashboard import WeekSchema

blp = Blueprint("week", __name__, url_prefix="/api", description="Weekly look-back")


@blp.route("/week", methods=["GET"])
@blp.response(200, WeekSchema)
@login_required
def week() -> dict[str, Any]:
    """The last seven days: what went well, and who to give to next and why."""
    return build_week(current_user, utcnow())
