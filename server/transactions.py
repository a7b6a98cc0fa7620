"""Write transactions that take their lock before they read."""

from __future__ import annotations

from sqlalchemy import text

from .extensions import db


def begin_write() -> None:
    """Commit what is pending and start a transaction that will write.

    On SQLite this takes the database write lock at once (BEGIN IMMEDIATE), so what the
    transaction reads cannot change under it before it writes; on PostgreSQL it is an ordinary
    transaction whose callers lock the rows they read (SELECT ... FOR UPDATE).
    """
    db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("BEGIN IMMEDIATE"))
