"""Liveness and readiness probes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, text

from .extensions import db
from .models import SystemState, utcnow

site = Blueprint("health", __name__)
HEARTBEAT_STALE = timedelta(minutes=5)
LATE_AFTER = timedelta(minutes=2)


def _pipeline_checks() -> dict[str, Any]:
    """Last calendar sync, calendars failing, and notifications past due that nobody sent."""
    from .models.calendars import Calendar
    from .models.push import Notification

    now = utcnow()
    return {
        "last_calendar_sync": db.session.scalar(select(func.max(Calendar.last_synced_at))),
        "calendars_with_errors": db.session.scalar(
            select(func.count()).where(Calendar.last_error.is_not(None))
        ),
        "notifications_late": db.session.scalar(
            select(func.count()).where(
                Notification.state == "pending", Notification.due_at < now - LATE_AFTER
            )
        ),
    }


@site.route("/healthz")
def healthz() -> ResponseReturnValue:
    """The process answers."""
    return jsonify(status="ok")


@site.route("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready when the database answers and the worker has beaten recently."""
    checks: dict[str, Any] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        db.session.rollback()
        checks["database"] = "unreachable"
        return jsonify(status="unavailable", checks=checks), 503
    beat = db.session.get(SystemState, "worker.heartbeat")
    if beat is None:
        checks["worker"] = "never seen"
    else:
        age = utcnow() - beat.updated_at
        checks["worker"] = "ok" if age <= HEARTBEAT_STALE else "stale"
        checks["worker_last_pass"] = beat.value
    checks.update(_pipeline_checks())
    ready = checks["worker"] == "ok"
    return jsonify(status="ok" if ready else "degraded", checks=checks), 200 if ready else 503
