"""Operating a self-hosted Rapport: reset links, status, retention, file modes, key checks."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from server.cli import main
from server.config import Config
from server.extensions import db
from server.models import SystemState, User, utcnow
from server.models.push import Notification
from server.password_reset import make_reset_token
from server.worker import purge_if_due, record_heartbeat
from tests.conftest import PASSWORD, login
from tests.deploy.conftest import REPO_ROOT, clean_env

NEW_PASSWORD = "a brand new sentence"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def cli_env(app, database_url: str) -> dict[str, str]:
    """The environment an operator's shell has: the same database, data dir and secret."""
    return {
        "RAPPORT_DATABASE_URL": database_url,
        "RAPPORT_DATA_DIR": str(app.config["DATA_DIR"]),
        "RAPPORT_SECRET_KEY": app.config["SECRET_KEY"],
        "RAPPORT_VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "RAPPORT_BASE_URL": "https://rapport.example",
    }


def test_a_reset_link_works_once_and_ends_every_session(app, user, database_url):
    phone = app.test_client()
    login(phone, user.email)
    result = CliRunner().invoke(main, ["reset-password", "MAYA@example.com"], env=cli_env(app, database_url))
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("https://rapport.example/reset?token=")
    token = link.split("token=", 1)[1]

    browser = app.test_client()
    r = browser.post("/api/auth/reset", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["email"] == "maya@example.com"
    assert browser.get("/api/auth/me").status_code == 200
    assert phone.get("/api/auth/me").status_code == 401
    again = app.test_client().post("/api/auth/reset", json={"token": token, "password": "yet another sentence"})
    assert again.status_code == 400
    assert app.test_client().post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    login(app.test_client(), user.email, NEW_PASSWORD)


def test_an_expired_or_forged_reset_link_is_refused(app, user):
    with app.app_context():
        fresh = db.session.get(User, user.id)
        expired = make_reset_token(fresh, app.config["SECRET_KEY"], utcnow() - timedelta(seconds=1))
        forged = make_reset_token(fresh, "another node's secret", utcnow() + timedelta(hours=1))
    client = app.test_client()
    for token in (expired, forged, "garbage"):
        r = client.post("/api/auth/reset", json={"token": token, "password": NEW_PASSWORD})
        assert r.status_code == 400, r.get_json()
    login(app.test_client(), user.email)


def test_a_reset_with_a_weak_password_changes_nothing(app, user):
    with app.app_context():
        token = make_reset_token(db.session.get(User, user.id), app.config["SECRET_KEY"], utcnow() + timedelta(hours=1))
    r = app.test_client().post("/api/auth/reset", json={"token": token, "password": "password"})
    assert r.status_code == 422
    assert "password" in r.get_json()["errors"]
    login(app.test_client(), user.email)


def test_reset_password_for_an_unknown_email_fails(app, database_url):
    result = CliRunner().invoke(main, ["reset-password", "nobody@example.com"], env=cli_env(app, database_url))
    assert result.exit_code != 0
    assert "No account" in result.output


def _beat(app, age: timedelta) -> None:
    with app.app_context():
        db.session.merge(SystemState(key="worker.heartbeat", value={"at": "x"}, updated_at=utcnow() - age))
        db.session.commit()


def test_readyz_calls_a_heartbeat_older_than_a_minute_stale(app, client):
    _beat(app, timedelta(seconds=50))
    assert client.get("/readyz").get_json()["checks"]["worker"] == "ok"
    _beat(app, timedelta(seconds=61))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["checks"]["worker"] == "stale"
    assert "last_delivery" in r.get_json()["checks"]


def test_status_prints_the_readiness_checks(app, database_url):
    env = cli_env(app, database_url)
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 1
    assert "worker: never seen" in result.output and "NOT READY" in result.output
    _beat(app, timedelta(seconds=5))
    result = CliRunner().invoke(main, ["status"], env=env)
    assert result.exit_code == 0, result.output
    for check in ("database: ok", "worker: ok", "last_calendar_sync:", "last_delivery:", "notifications_late: 0"):
        assert check in result.output
    assert result.output.strip().endswith("ready")


def _notification(user_id: int, key: str, state: str, updated: datetime) -> None:
    db.session.add(Notification(user_id=user_id, key=key, kind="digest", scheduled_for=updated,
                                due_at=updated, payload={}, state=state, updated_at=updated))


def test_the_worker_purges_finished_notifications_after_the_retention_period(app, user):
    with app.app_context():
        _notification(user.id, "old-sent", "sent", NOW - timedelta(days=91))
        _notification(user.id, "old-failed", "failed", NOW - timedelta(days=120))
        _notification(user.id, "recent-sent", "sent", NOW - timedelta(days=89))
        _notification(user.id, "old-pending", "pending", NOW - timedelta(days=200))
        db.session.commit()
        assert purge_if_due(NOW, retention_days=90) == 2
        left = set(db.session.scalars(select(Notification.key)))
        assert left == {"recent-sent", "old-pending"}
        # At most once an hour: an hour later the next finished row goes.
        assert purge_if_due(NOW + timedelta(days=2), retention_days=90) == 1
        assert purge_if_due(NOW + timedelta(days=2, minutes=59), retention_days=90) == 0


def test_workers_started_at_once_purge_once_and_all_beat(app, user):
    """Six workers racing for the hourly purge and the heartbeat: one purges, none fails."""
    with app.app_context():
        _notification(user.id, "old-sent", "sent", NOW - timedelta(days=91))
        db.session.commit()
    barrier = threading.Barrier(6)
    purged: list[int] = []
    errors: list[BaseException] = []

    def one_worker(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                purged.append(purge_if_due(NOW, retention_days=90))
                record_heartbeat(NOW, {"worker": n})
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one_worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(purged) == [0] * 5 + [1]
    with app.app_context():
        assert db.session.get(SystemState, "worker.heartbeat").value["worker"] in range(6)
        assert db.session.get(SystemState, "retention.last_purge") is not None


def test_data_dir_and_sqlite_file_are_created_owner_only(tmp_path: Path):
    data = tmp_path / "fresh" / "instance"
    config = Config({"RAPPORT_DATA_DIR": str(data)})
    config.finalize()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "rapport.sqlite3").stat().st_mode) == 0o600
    for key in ("secret_key", "vapid_private.pem"):
        assert stat.S_IMODE((data / key).stat().st_mode) == 0o600


def _migrate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(bool(os.environ.get("RAPPORT_TEST_DATABASE_URL")), reason="one SQLite file shared by two data dirs")
def test_a_node_with_other_keys_refuses_to_start_and_names_the_variable(tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first = clean_env(tmp_path / "node1", RAPPORT_DATABASE_URL=database)
    assert _migrate(first).returncode == 0
    second = clean_env(tmp_path / "node2", RAPPORT_DATABASE_URL=database)
    refused = _migrate(second)
    assert refused.returncode != 0
    assert "RAPPORT_SECRET_KEY and RAPPORT_VAPID_PRIVATE_KEY" in refused.stderr
    second["RAPPORT_SECRET_KEY"] = (tmp_path / "node1" / "secret_key").read_text()
    refused = _migrate(second)
    assert refused.returncode != 0
    assert "Set RAPPORT_VAPID_PRIVATE_KEY" in refused.stderr
    second["RAPPORT_VAPID_PRIVATE_KEY"] = (tmp_path / "node1" / "vapid_private.pem").read_text()
    accepted = _migrate(second)
    assert accepted.returncode == 0, accepted.stderr
