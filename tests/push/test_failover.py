"""A worker killed with `kill -9` while it holds claims: the others deliver its rows in time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import utcnow
from server.models.push import Notification
from tests.push.helpers import plan
from tests.push.test_worker import NO_QUIET_HOURS, REPO, _worker_env

ROWS = 120  # more than one claim, so every worker holds some


def _start_worker(app, log_path) -> subprocess.Popen:
    with open(log_path, "ab") as log:  # a file, not a pipe nobody reads: the worker never blocks
        return subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], cwd=REPO,
                                env=_worker_env(app), stdout=log, stderr=subprocess.STDOUT)


def _poll(check, timeout: float) -> bool:
    """Wait for `check()` to hold, up to `timeout` seconds (a bounded poll, not an assertion)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return False


def _held_by(app) -> Counter[str]:
    with app.app_context():
        owners = db.session.scalars(
            select(Notification.lease_owner).where(
                Notification.state == "pending", Notification.lease_owner.is_not(None))
        ).all()
        db.session.rollback()
        return Counter(owners)


@pytest.mark.postgres
def test_rows_of_a_killed_worker_go_out_within_a_minute_of_due(app, user, push_service,
                                                              add_device, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("needs RAPPORT_TEST_DATABASE_URL (PostgreSQL)")
    with app.app_context():
        db.session.get(type(user), user.id).settings = NO_QUIET_HOURS
        db.session.commit()
    device, _ = add_device(user.id)
    # The first push never gets an answer: whoever sends it is stuck with its claim held.
    push_service.hang()
    procs = {}
    try:
        for _ in range(3):
            proc = _start_worker(app, tmp_path / "workers.log")
            procs[proc.pid] = proc
        with app.app_context():
            due = utcnow() + timedelta(seconds=5)  # the workers are up and waiting by then
            for n in range(ROWS):
                plan(user.id, f"failover:{n}", due, now=utcnow())
        assert push_service.wait_until_hanging(timeout=60)
        # Wait until the healthy workers are done, so one owner still holds claims.
        seen: list[Counter[str]] = []
        assert _poll(lambda: len(seen.append(_held_by(app)) or seen[-1]) == 1, timeout=60), seen[-1]
        [owner] = seen[-1]
        victim = int(owner.split(":")[1])
        assert victim in procs
        os.kill(victim, signal.SIGKILL)
        with app.app_context():
            victim_rows = set(db.session.scalars(select(Notification.key).where(
                Notification.lease_owner == owner, Notification.state == "pending")))
        procs.pop(victim).wait(timeout=30)
        push_service.release()  # the hung request ends unanswered; that copy never arrived

        def all_sent() -> bool:
            with app.app_context():
                left = db.session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.state != "sent"))
                db.session.rollback()
                return left == 0

        assert _poll(all_sent, timeout=120)
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except Exception:
                proc.kill()
    with app.app_context():
        rows = db.session.scalars(select(Notification)).all()
        late = {n.key: (n.sent_at - n.due_at).total_seconds() for n in rows}
    assert victim_rows and victim_rows <= set(late)
    # Measured on the recorded times: the takeover happened within a minute of due.
    assert max(late[k] for k in victim_rows) <= 60, sorted(late.values())[-5:]
    copies = Counter(m.topic for m in push_service.accepted())
    assert len(copies) == ROWS and set(copies.values()) == {1}
    assert len(push_service.received_for(device["endpoint"])) == ROWS
