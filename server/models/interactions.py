"""The give/take log: interactions, who was there, what was given and received, challenges, wins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

INTERACTION_KINDS = ("in_person", "call", "video", "message", "event")
DIRECTIONS = ("gave", "received")
GIVE_TAKE_CATEGORIES = (
    "intro",
    "advice",
    "referral",
    "feedback",
    "favor",
    "gift",
    "time",
    "congrats",
    "listening",
    "other",
)


class Interaction(Base):
    """One logged contact with one or more people, keyed by a client-generated UUID."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_user_id_occurred_at", "user_id", "occurred_at", "kind", "id"),
        Index(
            "ix_interactions_user_id_follow_up",
            "user_id", "follow_up_done_at", "follow_up_on", "follow_up_snoozed_until",
        ),
        # Logs that noted a challenge (the empathy count reads only these).
        Index(
            "ix_interactions_user_id_challenge",
            "user_id", "occurred_at", "id",
            sqlite_where=sql_text("challenge IS NOT NULL"),
            postgresql_where=sql_text("challenge IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    # No foreign key: meetings are created by a later migration and may be pruned by sync;
    # "an interaction with this meeting_id exists" means the meeting has been logged.
    meeting_id: Mapped[int | None] = mapped_column(Integer, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    challenge: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_snoozed_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact_links: Mapped[list[InteractionContact]] = relationship(
        back_populates="interaction",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="InteractionContact.id",
    )
    items: Mapped[list[GiveTakeItem]] = relationship(
        back_populates="interaction",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="GiveTakeItem.id",
    )
    win: Mapped[Win | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )

    def refresh_copies(self) -> None:
        """Copy this log's time onto its items and links, and each person's counts onto links."""
        for item in self.items:
            item.occurred_at = self.occurred_at
        for link in self.contact_links:
            mine = [i for i in self.items if i.contact_id in (None, link.contact_id)]
            link.occurred_at = self.occurred_at
            link.gave_count = sum(
                1 for i in mine if i.direction == "gave" and not (i.promised and i.delivered_at is None)
            )
            link.received_count = sum(1 for i in mine if i.direction == "received")

    @property
    def contact_ids(self) -> list[int]:
        """The people this interaction was with."""
        return [link.contact_id for link in self.contact_links]

    @property
    def gave(self) -> list[GiveTakeItem]:
        """What I gave."""
        return [item for item in self.items if item.direction == "gave"]

    @property
    def received(self) -> list[GiveTakeItem]:
        """What I received."""
        return [item for item in self.items if item.direction == "received"]

    @property
    def follow_up_due_on(self) -> date | None:
        """When the follow-up is due: the snooze date if snoozed, else the follow-up date."""
        if self.follow_up_on is None or self.follow_up_done_at is not None:
            return None
        return self.follow_up_snoozed_until or self.follow_up_on


class InteractionContact(Base):
    """A person who took part in an interaction.

    `occurred_at`, `gave_count` and `received_count` are copies kept by the log service (the
    interaction's time; what was given to / received from this person in it, open promises
    not counted) so a 12-month balance over thousands of people is one index range scan.
    """

    __tablename__ = "interaction_contacts"
    __table_args__ = (
        UniqueConstraint("interaction_id", "contact_id"),
        Index(  # a person's page of the log; their 12-month sums read from the index alone
            "ix_interaction_contacts_user_id_contact_id",
            "user_id", "contact_id", "occurred_at", "interaction_id", "gave_count", "received_count",
        ),
        Index(
            "ix_interaction_contacts_user_id_occurred_at",
            "user_id", "occurred_at", "contact_id", "gave_count", "received_count",
            "interaction_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    gave_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    received_count: Mapped[int] = mapped_column(SmallInteger, default=0)

    interaction: Mapped[Interaction] = relationship(back_populates="contact_links")


class GiveTakeItem(Base):
    """Something I gave or received in an interaction; a 'gave' item may be a promise.

    `contact_id` names the one person it was for; NULL means everyone in the interaction.
    A promise is direction 'gave', promised true and delivered_at NULL.
    """

    __tablename__ = "give_take_items"
    __table_args__ = (
        # Promises by whether delivered, carrying what Habits counts of them (made, kept and
        # overdue in a window), so the count reads the index alone.
        Index(
            "ix_give_take_items_user_id_promised",
            "user_id", "promised", "delivered_at", "direction", "due_on", "occurred_at",
        ),
        Index(
            "ix_give_take_items_user_id_occurred_at",
            "user_id", "occurred_at", "direction", "category", "interaction_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # A copy of the interaction's time, kept by the log service, for windowed counts.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    promised: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    interaction: Mapped[Interaction] = relationship(back_populates="items")


class Challenge(Base):
    """Something a contact is going through; open until resolved, with an optional check-in."""

    __tablename__ = "challenges"
    __table_args__ = (
        Index("ix_challenges_user_id_resolved_at", "user_id", "resolved_at", "check_in_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[date] = mapped_column(Date)
    check_in_on: Mapped[date | None] = mapped_column(Date)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Win(Base):
    """A contact's success, to congratulate them on."""

    __tablename__ = "wins"
    __table_args__ = (
        Index("ix_wins_user_id_congratulated_at", "user_id", "congratulated_at"),
        # Only wins noted in a log: with the hand-recorded ones (NULL) counted in, SQLite's
        # statistics make the unique index look useless for loading a page's wins.
        Index(
            "ix_wins_interaction_id",
            "interaction_id",
            sqlite_where=sql_text("interaction_id IS NOT NULL"),
            postgresql_where=sql_text("interaction_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    happened_on: Mapped[date] = mapped_column(Date)
    congratulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    big: Mapped[bool] = mapped_column(Boolean, default=False)  # worth a one-year anniversary
    # The log entry that noted this win (it goes with that entry); none when recorded by hand.
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )


@event.listens_for(Session, "before_flush")
def _keep_log_copies(session: Session, _context: Any, _instances: Any) -> None:
    """Whoever writes the log (API, restore, scripts), the copied times and counts stay right."""
    touched: dict[int, Interaction] = {}
    for obj in list(session.new) + list(session.dirty):
        parent: Interaction | None = None
        if isinstance(obj, Interaction):
            parent = obj
        elif isinstance(obj, GiveTakeItem | InteractionContact):
            parent = obj.interaction
        if parent is not None and parent not in session.deleted:
            touched[id(parent)] = parent
    for parent in touched.values():
        parent.refresh_copies()
