"""The background loop: sync due calendars, plan notifications, deliver what is due."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from flask import Flask

from .calendars.sync import sync_due_calendars
from .extensions import db
from .models import SystemState, utcnow

log = logging.getLogger(__name__)


def record_heartbeat(now: datetime, figures: dict[str, int]) -> None:
    """Store the time and figures of the last pass, for /readyz."""
    row = db.session.get(SystemState, "worker.heartbeat")
    value = {"at": now.isoformat(), **figures}
    if row is None:
        db.session.add(SystemState(key="worker.heartbeat", value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
    db.session.commit()


def run_pass(now: datetime) -> dict[str, int]:
    """One full pass: sync due calendars, plan, deliver. Returns counts for logging."""
    figures = {"calendars_synced": sync_due_calendars(now)}
    record_heartbeat(now, figures)
    return figures


def run_forever(app: Flask, stop_after: float | None = None) -> None:
    """Run passes until interrupted, sleeping a short tick between them."""
    started = time.monotonic()
    with app.app_context():
        while stop_after is None or time.monotonic() - started < stop_after:
            try:
                run_pass(utcnow())
            except Exception:
                log.exception("worker pass failed")
                db.session.rollback()
            time.sleep(app.config["WORKER_TICK_SECONDS"])
