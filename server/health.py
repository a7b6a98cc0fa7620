"""Liveness and readiness probes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from .extensions import db
from .models import SystemState, utcnow

site = Blueprint("health", __name__)
HEARTBEAT_STALE = timedelta(minutes=5)


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
    ready = checks["worker"] == "ok"
    return jsonify(status="ok" if ready else "degraded", checks=checks), 200 if ready else 503
