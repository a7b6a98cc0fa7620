"""Which users the planning pass must look at: a mark per user, bumped by what changes plans.

A write that changes what is due bumps its owner's mark in the same transaction, whoever makes
it (API, import, restore, calendar sync, a script), so the pass plans only users whose plans
may have changed (and those whose local day turned).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, upsert_insert
from .calendars import Meeting, MeetingAttendee
from .contacts import Contact, ContactEmail
from .interactions import Challenge, GiveTakeItem, Interaction, Win
from .users import User


class ReplanMark(Base):
    """`version` grows with every write that changes what is due; the pass plans the user when
    it is ahead of `planned_version`, or when `replan_at` (the next local midnight) has come."""

    __tablename__ = "replan_marks"
    __table_args__ = (Index("ix_replan_marks_replan_at", "replan_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    planned_version: Mapped[int] = mapped_column(Integer, default=0)
    replan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


USER_FIELDS = ("settings", "timezone", "email")
# Whatever a planner or a cached dashboard reads: a write to one of these may change what is
# due for its owner. Addresses count too: attendees match by them, and Habits offers them.
WATCHED = (
    Interaction, GiveTakeItem, Challenge, Win, Contact, ContactEmail, Meeting, MeetingAttendee
)


def bump_marks(connection: Connection, user_ids: set[int]) -> None:
    """Bump (or create) the marks of these users."""
    if not user_ids:
        return
    insert = upsert_insert(connection.dialect.name)
    stmt = insert(ReplanMark).values(
        [{"user_id": uid, "version": 1, "planned_version": 0} for uid in sorted(user_ids)]
    )
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={"version": ReplanMark.version + 1}
        )
    )


def mark_for_replanning(session: Session, user_id: int) -> None:
    """Ask the next pass to plan this user again (for writes made with Core statements)."""
    bump_marks(session.connection(), {user_id})


def _touched_users(session: Session) -> set[int]:
    gone = {obj.id for obj in session.deleted if isinstance(obj, User)}
    found: set[int] = set()
    for obj in session.new:
        if isinstance(obj, User):
            found.add(obj.id)
        elif isinstance(obj, WATCHED):
            found.add(obj.user_id)
    for obj in session.dirty:
        if isinstance(obj, User):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in USER_FIELDS):
                found.add(obj.id)
        elif isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False):
            found.add(obj.user_id)
    for obj in session.deleted:
        if isinstance(obj, WATCHED):
            found.add(obj.user_id)
    return {uid for uid in found if uid is not None and uid not in gone}


@event.listens_for(Session, "after_flush")
def _mark_changed_users(session: Session, _context: Any) -> None:
    """After each flush: bump the marks of the users whose due things may have changed."""
    bump_marks(session.connection(), _touched_users(session))
