"""The database across releases and machines: upgrades keep every row, a failed upgrade leaves
the database as it was, backups taken while writing restore to the same rows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from server import config as settings
from server import create_app, schema
from server.cli import migrate_database
from server.contacts import create_contact
from server.extensions import db
from server.models import User
from tests.conftest import REPO_ROOT, empty_database
from tests.deploy.conftest import clean_env

T0 = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
SEED = {
    "users": [
        {"id": 1, "email": "ada@example.com", "password_hash": "x" * 60, "name": "Ada", "timezone": "Europe/London",
         "is_admin": True, "settings": '{"prompt_delay_minutes": 5}', "feed_token": "f" * 40, "created_at": T0},
        {"id": 2, "email": "bo@example.com", "password_hash": "y" * 60, "name": "Bo", "timezone": "UTC",
         "is_admin": False, "settings": "{}", "feed_token": None, "created_at": T0},
    ],
    "contacts": [
        {"id": 10, "user_id": 1, "name": "Tom Baker", "company": "Acme", "title": "CTO", "phones": '["+44 20 1"]',
         "birthday_year": None, "birthday_month": 3, "birthday_day": 14, "anniversary": None, "kind": "mentor",
         "cadence_days": 30, "how_met": "conference", "notes": "likes tea", "url": "",
         "last_interaction_at": T0, "last_in_person_at": None, "created_at": T0, "updated_at": T0},
    ],
    "contact_emails": [{"id": 100, "contact_id": 10, "user_id": 1, "email": "tom@acme.example", "position": 0}],
    "contact_tags": [{"id": 200, "contact_id": 10, "user_id": 1, "tag": "investor"}],
    "user_sessions": [{"id": 5, "user_id": 1, "secret_hash": "s" * 64, "user_agent": "Phone", "remember": True,
                       "created_at": T0, "last_seen_at": T0}],
    "api_tokens": [{"id": 7, "user_id": 1, "name": "script", "token_hash": "t" * 64, "prefix": "rpt_abcd",
                    "created_at": T0, "expires_at": None, "last_used_at": None}],
    "invites": [{"id": 3, "created_by_id": 1, "code_hash": "c" * 64, "created_at": T0, "used_at": None}],
}


def head_revision(directory: str | Path) -> str:
    """The newest revision in a migrations directory."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    return ScriptDirectory.from_config(config).get_current_head()


def _app(url: str, data_dir: Path, migrations: Path | None = None) -> Any:
    app = create_app(settings.TestConfig({"RAPPORT_DATABASE_URL": url, "RAPPORT_DATA_DIR": str(data_dir),
                                 "RAPPORT_SECRET_KEY": "upgrade-test-secret"}))
    if migrations is not None:
        schema.migrations(app).directory = str(migrations)
    return app


def _rows(url: str, table: str, columns: list[str]) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = ", ".join(columns)
            return [dict(r._mapping) for r in conn.execute(text(f"SELECT {names} FROM {table} ORDER BY id"))]
    finally:
        engine.dispose()


def _normalise(value: Any) -> Any:
    """One form for values SQLite and PostgreSQL return differently (text dates, 0/1, JSON text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.startswith(("[", "{")):
        return json.loads(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    return value


def test_upgrade_from_the_first_migration_keeps_every_row(scratch_database, tmp_path: Path):
    url = scratch_database("upgrade")
    app = _app(url, tmp_path / "data")
    with app.app_context():
        upgrade(directory=schema.migrations(app).directory, revision="0001")
        db.engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        for table, rows in SEED.items():
            for row in rows:
                cols = ", ".join(row)
                conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})"), row)
    engine.dispose()

    migrate_database(app)

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"interactions", "notifications", "meetings"} <= tables
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == head_revision(schema.migrations(app).directory)
        ada = db.session.get(User, 1)
        assert (ada.email, ada.settings, ada.feed_token) == ("ada@example.com", {"prompt_delay_minutes": 5}, "f" * 40)
        db.session.remove()
        db.engine.dispose()
    for table, rows in SEED.items():
        stored = _rows(url, table, list(rows[0]))
        assert [{k: _normalise(v) for k, v in r.items()} for r in stored] == [
            {k: _normalise(v) for k, v in r.items()} for r in rows
        ], table


FAILING_MIGRATION = '''"""a release whose migration breaks half way"""
from alembic import op
import sqlalchemy as sa

revision = "9999_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.add_column(sa.Column("probe", sa.Integer(), nullable=True))
    op.execute("INSERT INTO upgrade_probe (id) VALUES (1)")
    op.execute("UPDATE contacts SET name = 'overwritten'")
    op.execute("INSERT INTO upgrade_probe (id) VALUES (1)")  # the release is broken: a duplicate key


def downgrade():
    pass
'''


def test_a_failed_upgrade_leaves_the_database_as_it_was(scratch_database, tmp_path: Path):
    url = scratch_database("failed")
    app = _app(url, tmp_path / "data")
    migrate_database(app)
    with app.app_context():
        user = User(email="ada@example.com", password_hash="x", name="Ada", timezone="UTC", settings={})
        db.session.add(user)
        db.session.commit()
        create_contact(user, {"name": "Tom Baker", "emails": ["tom@example.com"]}, max_contacts=10)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    before_tables = set(inspect(create_engine(url)).get_table_names())
    before = _rows(url, "contacts", ["id", "name"])

    migrations = tmp_path / "migrations"
    shutil.copytree(Path(schema.migrations(app).directory), migrations)
    head = head_revision(migrations)
    (migrations / "versions" / "9999_broken.py").write_text(FAILING_MIGRATION.format(head=head))
    broken = _app(url, tmp_path / "data", migrations)
    with pytest.raises(IntegrityError):
        migrate_database(broken)

    engine = create_engine(url)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) == before_tables
    assert "probe" not in {c["name"] for c in inspector.get_columns("contacts")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
    engine.dispose()
    assert _rows(url, "contacts", ["id", "name"]) == before
    assert not list((tmp_path).glob("**/*.before-upgrade"))


def _all_rows(url: str) -> dict[str, dict[tuple, dict[str, Any]]]:
    """Every row of every table, keyed by primary key."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, dict[tuple, dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            pk = [c.name for c in table.primary_key.columns]
            out[table.name] = {
                tuple(r._mapping[c] for c in pk): {k: _normalise(v) for k, v in r._mapping.items()}
                for r in conn.execute(select(table))
            }
    engine.dispose()
    return out


def test_a_backup_taken_while_writing_restores_the_same_rows(app, user, database_url, scratch_database, tmp_path: Path):
    with app.app_context():
        owner = db.session.get(User, user.id)
        for i in range(50):
            create_contact(owner, {"name": f"Before {i}", "emails": [f"b{i}@example.com"], "tags": ["seed"]},
                           max_contacts=100_000)
        db.session.commit()
    before = _all_rows(database_url)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        with app.app_context():
            owner = db.session.get(User, user.id)
            while not stop.is_set():
                contact = create_contact(owner, {"name": f"During {len(written)}", "tags": ["live"]},
                                         max_contacts=100_000)
                db.session.commit()
                written.append(contact.id)
            db.session.remove()

    env = {"PATH": "/usr/bin:/bin", "RAPPORT_DATABASE_URL": database_url, "RAPPORT_DATA_DIR": str(app.config["DATA_DIR"]),
           "RAPPORT_SECRET_KEY": app.config["SECRET_KEY"], "RAPPORT_VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"]}
    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        backup = subprocess.run([sys.executable, "-m", "server.cli", "backup", str(tmp_path / "backup")], env=env,
                                cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
        during = len(written)
        while len(written) < during + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert backup.returncode == 0, backup.stderr
    assert oct((tmp_path / "backup" / "secret_key").stat().st_mode & 0o777) == "0o600"

    target_url = scratch_database("restored")
    restored_dir = tmp_path / "restored-data"
    restore_env = {**env, "RAPPORT_DATABASE_URL": target_url, "RAPPORT_DATA_DIR": str(restored_dir)}
    restored = subprocess.run([sys.executable, "-m", "server.cli", "restore", str(tmp_path / "backup")], env=restore_env,
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    assert (restored_dir / "secret_key").read_text() == app.config["SECRET_KEY"]
    assert (restored_dir / "vapid_private.pem").read_text() == app.config["VAPID_PRIVATE_KEY"]

    source, copy = _all_rows(database_url), _all_rows(target_url)
    assert set(copy) == set(source)
    for table, rows in copy.items():
        if table == "replan_marks":  # a counter every write bumps: the copy holds an earlier value
            assert all(row["version"] <= source[table][key]["version"] for key, row in rows.items())
            continue
        # Every restored row is a row of the source as it was (writes only added rows) ...
        for key, row in rows.items():
            assert source[table].get(key) == row, (table, key)
        # ... and nothing that existed before the backup started is missing.
        assert set(before[table]) <= set(rows), table
    contacts = copy["contacts"]
    assert any(r["name"].startswith("During") for r in contacts.values())  # taken mid-write
    assert len(contacts) < len(source["contacts"])  # and writing went on after it
    empty_database(app)


def test_restore_refuses_a_data_dir_that_already_has_keys(app, database_url, tmp_path: Path):
    env = {"PATH": "/usr/bin:/bin", "RAPPORT_DATABASE_URL": database_url, "RAPPORT_DATA_DIR": str(app.config["DATA_DIR"]),
           "RAPPORT_SECRET_KEY": app.config["SECRET_KEY"]}
    made = subprocess.run([sys.executable, "-m", "server.cli", "backup", str(tmp_path / "b")], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    again = subprocess.run([sys.executable, "-m", "server.cli", "restore", str(tmp_path / "b")], env=env, cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode != 0
    assert "empty data directory" in again.stderr


def test_flask_db_commands_reach_the_migrations_through_migration_app(tmp_path: Path):
    env = clean_env(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "server.schema:migration_app", "db", "heads"],
                          env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [head_revision(schema.MIGRATIONS_DIR), "(head)"]
