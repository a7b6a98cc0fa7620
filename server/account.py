"""Deleting an account with everything it owns."""

from __future__ import annotations

from sqlalchemy import delete

from .extensions import db
from .models import Base, User


def delete_account(user: User) -> None:
    """Delete every row the user owns (tables with a user_id column), then the user."""
    # Children before parents: reverse dependency order of the metadata.
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != "users" and "user_id" in table.c:
            db.session.execute(delete(table).where(table.c.user_id == user.id))
    db.session.execute(delete(User).where(User.id == user.id))
