"""`rapport backup` / `rapport restore`: the database and the keys, copied consistently while
the server runs (SQLite's online backup API; pg_dump for PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from .keys import SECRET_KEY_FILE, VAPID_KEY_FILE
from .schema import copy_sqlite, sqlite_path

MANIFEST = "backup.json"
SQLITE_FILE = "rapport.sqlite3"
PG_DUMP_FILE = "rapport.pgdump"


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why."""


def _libpq(uri: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore, the password passed by environment."""
    url: URL = make_url(uri)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()}")


def table_counts(uri: str) -> dict[str, int]:
    """Rows per table, for the manifest and for checking a restore."""
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {n: int(connection.scalar(select(func.count()).select_from(table(n))) or 0) for n in names}
    finally:
        engine.dispose()


def _write_private(path: Path, data: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(data)


def make_backup(config: dict[str, Any], target: Path, now: datetime) -> dict[str, Any]:
    """Copy the database and the keys in use into the new directory `target`; returns the manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty.")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    uri = config["SQLALCHEMY_DATABASE_URI"]
    database = sqlite_path(uri)
    if database is not None:
        copy_sqlite(database, target / SQLITE_FILE)
        kind, counts = "sqlite", table_counts(f"sqlite:///{target / SQLITE_FILE}")
    else:
        dsn, env = _libpq(uri)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target / PG_DUMP_FILE}", f"--dbname={dsn}"], env)
        os.chmod(target / PG_DUMP_FILE, 0o600)
        kind, counts = "postgresql", {}
    # The keys in use, whether they came from the data directory or from the environment.
    _write_private(target / SECRET_KEY_FILE, config["SECRET_KEY"])
    _write_private(target / VAPID_KEY_FILE, config["VAPID_PRIVATE_KEY"])
    manifest = {"format": 1, "created_at": now.isoformat(), "database": kind, "tables": counts}
    _write_private(target / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore_backup(data_dir: Path, uri: str, source: Path) -> dict[str, Any]:
    """Restore a backup into an empty data directory and an empty database."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} is not a Rapport backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    for name in (SECRET_KEY_FILE, VAPID_KEY_FILE):
        if (data_dir / name).exists():
            raise BackupError(f"{data_dir} already holds {name}: restore into an empty data directory.")
    database = sqlite_path(uri)
    if (manifest["database"] == "sqlite") != (database is not None):
        raise BackupError(
            f"This backup is of a {manifest['database']} database; RAPPORT_DATABASE_URL names another kind."
        )
    if database is not None:
        if database.exists() and database.stat().st_size > 0:
            raise BackupError(f"{database} exists: restore into an empty data directory.")
    elif table_counts(uri):
        raise BackupError("The PostgreSQL database is not empty: restore into a new database.")
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in (SECRET_KEY_FILE, VAPID_KEY_FILE):
        shutil.copyfile(source / name, data_dir / name)
        os.chmod(data_dir / name, 0o600)
    if database is not None:
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        copy_sqlite(source / SQLITE_FILE, database)
    else:
        dsn, env = _libpq(uri)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={dsn}", str(source / PG_DUMP_FILE)], env)
    return manifest
