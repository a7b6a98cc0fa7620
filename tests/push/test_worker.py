"""The worker end to end: a real pass, quiet hours, the loop, and real `rapport worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from server.extensions import db
from server.models import SystemState, utcnow
from server.models.push import Notification
from server.push.delivery import LEASE
from server.worker import run_forever, run_pass
from tests.push.helpers import plan, row
from tests.push.test_planning import _meeting

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # 13:00 in London
# Tests on the real clock must not depend on the hour they run at.
NO_QUIET_HOURS = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}


def test_a_pass_prompts_after_a_meeting_once(app, make_user, push_service, add_device):
    maya = make_user("maya@example.com", timezone="Europe/London")
    phone, _ = add_device(maya.id)
    lunch = _meeting(app, maya, START)
    with app.app_context():
        assert "notifications_sent" not in run_pass(START + timedelta(minutes=64))
        figures = run_pass(START + timedelta(minutes=65))
        assert figures["notifications_sent"] == 1
        run_pass(START + timedelta(minutes=66))
        beat = db.session.get(SystemState, "worker.heartbeat")
        assert beat.updated_at == START + timedelta(minutes=66)
    [payload] = push_service.received_for(phone["endpoint"])
    assert payload["title"] == "Lunch with Tom Baker just ended"
    assert payload["url"] == f"/log?meeting={lunch}"
    assert payload["kind"] == "meeting" and payload["web_push"] == 8030


def test_prompt_in_quiet_hours_goes_out_when_they_end(app, make_user, push_service, add_device):
    maya = make_user("maya@example.com", timezone="Europe/London")
    add_device(maya.id)
    late = datetime(2026, 5, 4, 21, 0, tzinfo=UTC)  # 22:00–23:00 BST
    _meeting(app, maya, late, title="Late dinner with Tom")
    with app.app_context():
        run_pass(late + timedelta(minutes=65))
        assert push_service.received == []
        n = db.session.scalar(select(Notification))
        assert n.due_at == datetime(2026, 5, 5, 6, 0, tzinfo=UTC)  # 07:00 BST
        run_pass(datetime(2026, 5, 5, 5, 59, tzinfo=UTC))
        assert push_service.received == []
        run_pass(datetime(2026, 5, 5, 6, 0, tzinfo=UTC))
    assert [p["title"] for p in push_service.received] == ["Late dinner with Tom just ended"]


def test_prompt_too_old_after_quiet_hours_is_dropped(app, make_user, push_service, add_device):
    maya = make_user("maya@example.com", timezone="Europe/London",
                     settings={"quiet_hours_start": "18:00", "quiet_hours_end": "09:00"})
    add_device(maya.id)
    _meeting(app, maya, datetime(2026, 5, 4, 16, 0, tzinfo=UTC))  # ends 18:00 BST
    with app.app_context():
        run_pass(datetime(2026, 5, 4, 17, 10, tzinfo=UTC))
        run_pass(datetime(2026, 5, 5, 8, 0, tzinfo=UTC))
        n = db.session.scalar(select(Notification))
        assert n.state == "skipped"
    assert push_service.received == []


def test_the_loop_delivers_without_waiting_a_full_tick(app, make_user, push_service, add_device):
    """The loop picks up a due row by itself (no timing asserted, only that it arrives)."""
    maya = make_user("maya@example.com", settings=NO_QUIET_HOURS)
    add_device(maya.id)
    app.config["WORKER_TICK_SECONDS"] = 0.5
    with app.app_context():
        plan(maya.id, "loop", utcnow() + timedelta(seconds=1), now=utcnow())
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(app,), kwargs={"stop": stop})
    thread.start()
    try:
        assert len(push_service.wait_for(1, timeout=20)) == 1
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()


def _worker_env(app) -> dict[str, str]:
    return {
        **os.environ,
        "RAPPORT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "RAPPORT_DATA_DIR": str(app.config["DATA_DIR"]),
        "RAPPORT_SECRET_KEY": app.config["SECRET_KEY"],
        "RAPPORT_ALLOW_PRIVATE_URLS": "1",
        "PYTHONPATH": str(REPO),
    }


def _worker(app, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker", *args],
        cwd=REPO, env=_worker_env(app), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def test_rapport_worker_once_runs_a_full_pass(app, make_user, push_service, add_device):
    maya = make_user("maya@example.com", settings=NO_QUIET_HOURS)
    add_device(maya.id)
    with app.app_context():
        plan(maya.id, "once", utcnow() - timedelta(minutes=1), now=utcnow())
    proc = _worker(app, "--once")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out.decode()
    assert b"notifications_sent=1" in out
    assert [p["title"] for p in push_service.received] == ["About once"]


def test_worker_killed_mid_send_loses_nothing_and_sends_once(
    app, make_user, push_service, add_device
):
    maya = make_user("maya@example.com", settings=NO_QUIET_HOURS)
    add_device(maya.id)
    push_service.hang()  # the first push never gets an answer: the worker is stuck mid-send
    with app.app_context():
        plan(maya.id, "crash", utcnow() - timedelta(seconds=5), now=utcnow())
    proc = _worker(app)
    try:
        # The worker has claimed the row and its push is in flight: kill it there.
        assert push_service.wait_until_hanging(timeout=60)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    push_service.release()  # the hung request now ends; that copy never reached the device
    with app.app_context():
        held = row("crash")
        assert held.state == "pending" and held.lease_owner is not None
        assert push_service.received == []
        # Another worker takes over once the dead one's lease runs out.
        figures = run_pass(utcnow() + LEASE + timedelta(seconds=1))
        assert figures.get("notifications_sent") == 1, (figures, row("crash").outcome)
        assert row("crash").state == "sent"
    assert [p["title"] for p in push_service.received] == ["About crash"]


def test_the_worker_keeps_sqlite_planner_statistics_current_once_an_hour(app, make_user, make_contact):
    """SQLite gathers no statistics by itself: the worker runs ANALYZE at most once an hour,
    so the query plans of a live database are the ones measured (PostgreSQL's autovacuum
    keeps its own)."""
    maya = make_user("maya@example.com")
    for n in range(30):
        make_contact(maya, name=f"Person {n}")
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"

        def stat_rows() -> int:
            found = db.session.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
            return db.session.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar() if found else 0

        figures = [run_pass(START + timedelta(minutes=m), sync_calendars=False)["statistics_refreshed"]
                   for m in (0, 30, 61)]
        assert figures == ([1, 0, 1] if sqlite else [0, 0, 0])
        if sqlite:
            assert stat_rows() > 0
            contacts_stat = db.session.execute(text(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = 'contacts' AND idx IS NOT NULL LIMIT 1"
            )).scalar()
            assert contacts_stat is not None and int(contacts_stat.split()[0]) >= 30
