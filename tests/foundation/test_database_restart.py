"""PostgreSQL restarted under load: while it is down every API request answers 503 in the one
JSON error shape (liveness stays up), nothing written is lost or half-written, and the worker
carries on by itself once the database is back.

The test starts its own throwaway PostgreSQL server (tests/pg_cluster.py), the app under
waitress on a loopback port, and `rapport worker` as a child process; every wait is bounded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from waitress.server import create_server

from server.auth import hash_password
from server.cli import migrate_database
from server.crypto import new_token, sha256_hex
from server.extensions import db
from server.keys import vapid_public_key
from server.models import ApiToken, Contact, SystemState, User, utcnow
from server.models.interactions import GiveTakeItem, Interaction
from server.models.push import PushSubscription
from tests.conftest import PASSWORD, make_app
from tests.pg_cluster import ThrowawayPostgres
from tests.push.helpers import plan
from tests.push_service import PushService

pytestmark = pytest.mark.faults
REPO = Path(__file__).resolve().parents[2]
LOADERS = 4
WAIT = 60.0  # the most any one phase may take before the test gives up


def wait_for(what: str, condition: Callable[[], bool], limit: float = WAIT) -> None:
    """Poll a real process until `condition` holds; fail after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def cluster() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server of the test's own, with an empty `rapport` database."""
    pg = ThrowawayPostgres()
    try:
        pg.start()
        pg.create_database("rapport")
        yield pg
    finally:
        pg.destroy()


class Load:
    """Threads that log entries and read lists through the real HTTP server, recording each
    answer with the phase it was sent in."""

    def __init__(self, base: str, token: str, contact_id: int) -> None:
        self.base, self.contact_id = base, contact_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.phase = "up"
        self.answers: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(LOADERS)]

    def _run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            key, phase = str(uuid.uuid4()), self.phase
            body = {
                "occurred_at": "2026-01-05T10:00:00+00:00", "kind": "call",
                "contact_ids": [self.contact_id], "notes": key,
                "gave": [{"category": "advice", "note": key}], "received": [{"category": "intro"}],
            }
            try:
                r = session.put(f"{self.base}/api/interactions/{key}", json=body,
                                headers=self.headers, timeout=30)
                listed = session.get(f"{self.base}/api/contacts", headers=self.headers, timeout=30)
            except requests.RequestException as exc:  # recorded, and refused by the test
                with self.lock:
                    self.answers.append({"key": key, "phase": phase, "status": -1, "json": str(exc),
                                         "list_status": -1, "list_json": None})
                continue
            if self.phase != phase:
                phase = "changing"  # sent on one side of a stop or start, answered on the other
            with self.lock:
                self.answers.append({"key": key, "phase": phase, "status": r.status_code,
                                     "json": _json(r), "list_status": listed.status_code,
                                     "list_json": _json(listed)})

    def count(self, phase: str, ok: bool) -> int:
        with self.lock:
            return sum(1 for a in self.answers if a["phase"] == phase and (a["status"] < 300) == ok)

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=WAIT)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


def _worker(app: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RAPPORT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "RAPPORT_DATA_DIR": str(app.config["DATA_DIR"]),
        "RAPPORT_SECRET_KEY": app.config["SECRET_KEY"],
        "RAPPORT_ALLOW_PRIVATE_URLS": "1",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "server.cli", "worker"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _account(app: Any, push: PushService) -> tuple[int, int, str]:
    """A user with one contact, one device on the test push service and an API token."""
    secret = new_token(prefix="rpt_", nbytes=32)
    device = push.new_subscription("Phone")
    with app.app_context():
        user = User(email="maya@example.com", password_hash=hash_password(PASSWORD), name="Maya",
                    settings={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00"})
        db.session.add(user)
        db.session.flush()
        contact = Contact(user_id=user.id, name="Tom")
        db.session.add_all([
            contact,
            ApiToken(user_id=user.id, name="load", token_hash=sha256_hex(secret),
                     prefix=secret[:8], scopes="write"),
            PushSubscription(user_id=user.id, endpoint=device["endpoint"],
                             p256dh=device["keys"]["p256dh"], auth=device["keys"]["auth"]),
        ])
        db.session.commit()
        return user.id, contact.id, secret


def _heartbeat(app: Any) -> Any:
    with app.app_context():
        try:
            row = db.session.get(SystemState, "worker.heartbeat")
            return None if row is None else row.updated_at
        finally:
            db.session.remove()


def test_postgres_restart_under_load_answers_503_then_recovers(cluster, tmp_path) -> None:
    app = make_app(cluster.url("rapport"), tmp_path / "data", RAPPORT_ALLOW_PRIVATE_URLS="1")
    migrate_database(app)
    push = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    push.start()
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    threading.Thread(target=server.run, daemon=True).start()
    user_id, contact_id, token = _account(app, push)
    worker = _worker(app)
    try:
        wait_for("the worker's first pass", lambda: _heartbeat(app) is not None)
        with Load(base, token, contact_id) as load:
            wait_for("writes while the database is up", lambda: load.count("up", ok=True) >= 20)
            load.phase = "stopping"
            cluster.stop()
            load.phase = "down"
            wait_for("answers while the database is down", lambda: load.count("down", ok=False) >= 20)
            health = requests.get(f"{base}/healthz", timeout=10)
            ready = requests.get(f"{base}/readyz", timeout=10)
            load.phase = "starting"
            cluster.start()
            restarted_at = utcnow()
            load.phase = "back"
            wait_for("writes after the restart", lambda: load.count("back", ok=True) >= 20)
        with app.app_context():
            plan(user_id, "after-restart", utcnow() - timedelta(seconds=1), now=utcnow())
        wait_for("the worker to deliver after the restart",
                 lambda: [p["title"] for p in push.received] == ["About after-restart"])
        wait_for("a worker pass after the restart",
                 lambda: (_heartbeat(app) or restarted_at) > restarted_at)
        assert worker.poll() is None, "the worker died while the database was down"
    finally:
        worker.terminate()
        worker.wait(timeout=WAIT)
        server.close()
        push.stop()

    figures = {phase: {"answers": sum(a["phase"] == phase for a in load.answers),
                       "ok": load.count(phase, ok=True)} for phase in ("up", "down", "back")}
    print("restart figures", figures)
    assert health.status_code == 200
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unreachable"
    answers = load.answers
    statuses = {(a["phase"], a["status"]) for a in answers} | {
        (a["phase"], a["list_status"]) for a in answers}
    assert {s for _, s in statuses} <= {200, 201, 503}, statuses  # never a 500
    for a in answers:
        if a["phase"] == "down":
            assert a["status"] == a["list_status"] == 503, a
        if a["phase"] in ("up", "back"):
            assert a["status"] == 201 and a["list_status"] == 200, a
        for status, body in ((a["status"], a["json"]), (a["list_status"], a["list_json"])):
            if status == 503:
                assert body["code"] == 503 and body["message"], body

    # Nothing lost, nothing half-written: each 201 is stored whole; a refused write is either
    # absent or (if its commit landed just before the answer was lost) stored whole too.
    with app.app_context():
        stored = {i.uuid: i for i in db.session.scalars(select(Interaction))}
        items = dict(db.session.execute(
            select(GiveTakeItem.interaction_id, func.count()).group_by(GiveTakeItem.interaction_id)
        ).all())
        for a in answers:
            entry = stored.get(a["key"])
            if a["status"] == 201:
                assert entry is not None, a
            if entry is not None:
                assert entry.notes == a["key"] and items[entry.id] == 2, a
        last = db.session.scalar(select(Contact.last_interaction_at).where(Contact.id == contact_id))
        assert last is not None
        db.session.remove()
        db.engine.dispose()
