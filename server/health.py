"""Liveness and readiness: the probes, and `rapport status`, which prints the same checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, text

from .extensions import db
from .models import SystemState, utcnow

site = Blueprint("health", __name__)
# The worker beats after every delivery pass, at least once per tick (15 s): four missed
# beats mean it is gone, so /readyz says so within a minute.
HEARTBEAT_STALE = timedelta(seconds=60)
LATE_AFTER = timedelta(minutes=2)


def _pipeline_checks(now: datetime) -> dict[str, Any]:
    """Last calendar sync and push delivery, failing calendars, and late notifications."""
    from .models.calendars import Calendar
    from .models.push import Notification

    return {
        "last_calendar_sync": db.session.scalar(select(func.max(Calendar.last_synced_at))),
        "calendars_with_errors": db.session.scalar(
            select(func.count()).where(Calendar.last_error.is_not(None))
        ),
        "last_delivery": db.session.scalar(select(func.max(Notification.sent_at))),
        "notifications_late": db.session.scalar(
            select(func.count()).where(
                Notification.state == "pending", Notification.due_at < now - LATE_AFTER
            )
        ),
    }


def readiness(now: datetime) -> tuple[bool, dict[str, Any]]:
    """Ready when the database answers and the worker has beaten within HEARTBEAT_STALE."""
    checks: dict[str, Any] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        db.session.rollback()
        checks["database"] = "unreachable"
        return False, checks
    beat = db.session.get(SystemState, "worker.heartbeat")
    if beat is None:
        checks["worker"] = "never seen"
    else:
        age = now - beat.updated_at
        checks["worker"] = "ok" if age <= HEARTBEAT_STALE else "stale"
        checks["worker_last_seen_seconds_ago"] = int(age.total_seconds())
        checks["worker_last_pass"] = beat.value
    checks.update(_pipeline_checks(now))
    db.session.rollback()
    return checks["worker"] == "ok", checks


@site.route("/healthz")
def healthz() -> ResponseReturnValue:
    """The process answers."""
    return jsonify(status="ok")


@site.route("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready when the database answers and the worker has beaten recently."""
    ready, checks = readiness(utcnow())
    if checks["database"] != "ok":
        return jsonify(status="unavailable", checks=checks), 503
    return jsonify(status="ok" if ready else "degraded", checks=checks), 200 if ready else 503
