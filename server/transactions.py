"""Write transactions that take their lock before they read, and commits that keep what the
request has already loaded."""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import text

from .extensions import db


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, so an answer made from the objects just
    written is not read back from the database: what is in memory is what was committed."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def begin_write() -> None:
    """Commit what is pending and start a transaction that will write.

    On SQLite this takes the database write lock at once (BEGIN IMMEDIATE), so what the
    transaction reads cannot change under it before it writes; on PostgreSQL it is an ordinary
    transaction whose callers lock the rows they read (SELECT ... FOR UPDATE). Everything read
    before is expired, to be read again under the lock, except the request's signed-in user:
    it was read at the request's start and stands for the whole request either way.
    """
    commit_keeping_loaded()
    session = db.session()
    user = g.get("_login_user") if has_request_context() else None
    for loaded in list(session.identity_map.values()):
        if loaded is not user:
            session.expire(loaded)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))
