"""Bringing the database schema up to date, safely when several processes start at once and
without leaving a half-upgraded database when a migration fails.

Alembic (with Mako and Pygments behind it, ~11 MB) is imported only here, when a migration is
checked or run: the web and worker processes never need it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy.engine import make_url

from .extensions import db

if TYPE_CHECKING:
    from flask_migrate import Migrate

log = logging.getLogger(__name__)
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def migrations(app: Flask) -> Migrate:
    """The app's Flask-Migrate extension, bound on first use (migrations/env.py reads it)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    return app.extensions["migrate"]


def migration_app() -> Flask:
    """The app with Flask-Migrate bound, for writing migrations:
    `flask --app server.schema:migration_app db revision -m "..."`."""
    from . import create_app

    app = create_app()
    migrations(app)
    return app


def pending_revisions(app: Flask) -> bool:
    """True when the database is not at the newest migration (or has none yet)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate = migrations(app)
    with app.app_context(), db.engine.connect() as connection:
        script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(script.get_heads())


def sqlite_path(uri: str) -> Path | None:
    """The database file of an SQLite URL (None for other databases or in-memory SQLite)."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API), owner-only."""
    target.touch(mode=0o600, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def migrate_database(app: Flask) -> None:
    """Upgrade to the newest migration; on SQLite a failed upgrade puts the file back as it was.

    PostgreSQL runs the whole upgrade as one transaction under an advisory lock (see
    migrations/env.py), so a failure rolls everything back. SQLite cannot roll back every
    schema change the batch migrations make, so the file is copied first and restored on failure.
    """
    from flask_migrate import upgrade

    directory = migrations(app).directory
    path = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if path is None or not path.exists() or path.stat().st_size == 0 or not pending_revisions(app):
        with app.app_context():
            upgrade(directory=directory)
        return
    saved = path.with_name(path.name + ".before-upgrade")
    copy_sqlite(path, saved)
    try:
        with app.app_context():
            upgrade(directory=directory)
    except BaseException:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        copy_sqlite(saved, path)
        log.error("the upgrade failed; %s is back as it was before it", path)
        raise
    finally:
        saved.unlink(missing_ok=True)
