"""People the user keeps in touch with."""

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
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

CONTACT_KINDS = ("mentor", "mentee", "peer", "client", "friend", "other")


class Contact(Base):
    """A person; birthday kept as parts so the year can be unknown and SQL can find it."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_user_id_name", "user_id", "name"),
        Index("ix_contacts_user_id_birthday", "user_id", "birthday_month", "birthday_day"),
        Index("ix_contacts_user_id_kind", "user_id", "kind"),
        Index("ix_contacts_user_id_balance", "user_id", "balance"),
        Index("ix_contacts_user_id_sort_name", "user_id", "sort_name"),
        # The cadences people have of their own (few): Today and Habits read them first.
        Index(
            "ix_contacts_user_id_cadence_days",
            "user_id", "cadence_days",
            sqlite_where=sql_text("cadence_days IS NOT NULL"),
            postgresql_where=sql_text("cadence_days IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # vCard N parts, each a list: {family, given, additional, prefix, suffix}.
    name_parts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sort_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # JPEG, resized
    has_photo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    company: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    phones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    birthday_year: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    anniversary: Mapped[str | None] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    cadence_days: Mapped[int | None] = mapped_column(Integer)
    how_met: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_in_person_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    face_time_days: Mapped[int | None] = mapped_column(Integer)  # in-person cadence, own
    # The last 12 months' give/take, kept with the span it holds for (see .balances).
    balance_gave: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    balance_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    balance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    balance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    balance_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    email_rows: Mapped[list[ContactEmail]] = relationship(
        cascade="all, delete-orphan",
        order_by="ContactEmail.position",
        passive_deletes=True,
        lazy="selectin",
    )
    tag_rows: Mapped[list[ContactTag]] = relationship(
        cascade="all, delete-orphan",
        order_by="ContactTag.tag",
        passive_deletes=True,
        lazy="selectin",
    )

    @property
    def emails(self) -> list[str]:
        """Addresses, preferred first."""
        return [row.email for row in self.email_rows]

    @property
    def tags(self) -> list[str]:
        """Tags, sorted."""
        return [row.tag for row in self.tag_rows]

    @property
    def birthday(self) -> str | None:
        """`YYYY-MM-DD`, or `--MM-DD` when the year is unknown."""
        if self.birthday_month is None or self.birthday_day is None:
            return None
        if self.birthday_year is None:
            return f"--{self.birthday_month:02d}-{self.birthday_day:02d}"
        return f"{self.birthday_year:04d}-{self.birthday_month:02d}-{self.birthday_day:02d}"


class ContactEmail(Base):
    """One address of a contact, lower-cased, so attendees match by any of them."""

    __tablename__ = "contact_emails"
    __table_args__ = (Index("ix_contact_emails_user_id_email", "user_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class ContactTag(Base):
    """One tag on a contact."""

    __tablename__ = "contact_tags"
    __table_args__ = (Index("ix_contact_tags_user_id_tag", "user_id", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(60))
