"""Calendar sources, the meetings read from them, and who attends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Calendar(Base):
    """An ICS feed URL (stored encrypted) or an uploaded file, synced by the worker."""

    __tablename__ = "calendars"
    __table_args__ = (Index("ix_calendars_next_sync_at", "next_sync_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # 'url' | 'upload'
    url_encrypted: Mapped[str | None] = mapped_column(Text)
    url_hint: Mapped[str] = mapped_column(String(200), default="")  # masked, safe to show
    upload_body: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib, uploads only
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last full expansion
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    owner_emails: Mapped[list[Any]] = mapped_column(JSON, default=list)
    meeting_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # queued | fetching | reading | idle: what the worker is doing with it, for the page
    sync_state: Mapped[str] = mapped_column(String(10), default="idle", server_default="idle")
    problem: Mapped[str | None] = mapped_column(String(20))  # a kind from calendars.outcome
    known_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    slow_strikes: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    sync_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Meeting(Base):
    """One occurrence of a calendar event, keyed by (calendar, UID, recurrence key)."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("calendar_id", "uid", "recurrence_key"),
        Index("ix_meetings_user_id_end_at", "user_id", "end_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("calendars.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(255))
    # RECURRENCE-ID (or the occurrence's original start) in UTC ISO; "" for a single event.
    recurrence_key: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="confirmed")
    my_response: Mapped[str | None] = mapped_column(String(20))
    has_others: Mapped[bool] = mapped_column(Boolean, default=False)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Not worth logging": the user closed this meeting's prompt; it is never asked again.
    log_skipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MeetingAttendee.position",
        lazy="selectin",
    )


class MeetingAttendee(Base):
    """Another person on a meeting (never the user, a room or a declined guest)."""

    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="REQ-PARTICIPANT")
    partstat: Mapped[str] = mapped_column(String(20), default="NEEDS-ACTION")
    is_organizer: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    suggested_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
