"""Dashboards: Today, Habits, and the Person screen's timeline."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..logbook.habits import build_habits
from ..logbook.timeline import build_timeline
from ..logbook.today import build_today
from ..models import utcnow
from ..schemas.dashboard import (
    HabitsArgsSchema,
    HabitsSchema,
    TimelineArgsSchema,
    TimelineSchema,
    TodayArgsSchema,
    TodaySchema,
)
from .read_cache import cached_answer

TODAY, HABITS = TodaySchema(), HabitsSchema()

blp = Blueprint("dashboard", __name__, url_prefix="/api", description="Today, Habits, Person")


@blp.route("/today", methods=["GET"])
@blp.arguments(TodayArgsSchema, location="query")
@blp.response(200, TodaySchema)
@login_required
def today(args: dict[str, Any]) -> Response:
    """Meetings, birthdays, overdue people, follow-ups, check-ins, wins, promises, give first."""
    now, cap = utcnow(), args["limit"]
    return cached_answer(
        current_user, "today", (cap,), now, TODAY, lambda: build_today(current_user, now, cap)
    )


@blp.route("/habits", methods=["GET"])
@blp.arguments(HabitsArgsSchema, location="query")
@blp.response(200, HabitsSchema)
@login_required
def habits(args: dict[str, Any]) -> Response:
    """The six habits scored over the last `days` days, with the counts behind each score."""
    now, days = utcnow(), args["days"]
    return cached_answer(
        current_user, "habits", (days,), now, HABITS, lambda: build_habits(current_user, now, days)
    )


@blp.route("/contacts/<int:contact_id>/timeline", methods=["GET"])
@blp.arguments(TimelineArgsSchema, location="query")
@blp.response(200, TimelineSchema)
@login_required
def timeline(args: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """A person's card, log (newest first), open challenges, wins, promises and follow-ups."""
    return build_timeline(current_user, contact_id, utcnow(), args["page"], args["per_page"])
