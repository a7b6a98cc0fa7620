"""Attendee matching: e-mail links automatically, names only suggest, confirmations teach."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Contact, ContactEmail, User
from ..models.calendars import Meeting, MeetingAttendee
from ..settings import get_settings
from .attendees import normalise_email

SUGGESTED_ROLE = "SUGGESTED"  # an attendee row inferred from the title, not from the feed
MIN_SINGLE_NAME = 3


def my_addresses(user: User, owner_emails: Iterable[str] = ()) -> set[str]:
    """The user's own addresses: account, extra ones from settings, the calendar owner."""
    found = {user.email.lower()}
    for value in list(get_settings(user).get("my_emails") or []) + list(owner_emails):
        email = normalise_email(str(value))
        if email:
            found.add(email)
    return found


def _words(text: str) -> list[str]:
    """Lower-cased words without accents, for name comparison."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", folded)


def name_key(name: str) -> tuple[str, ...]:
    """Words of a display name, with "Last, First" turned around."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    return tuple(_words(name))


class NameIndex:
    """The user's contacts by name, for suggestions (built once per sync)."""

    def __init__(self, contacts: Iterable[tuple[int, str]]) -> None:
        self.by_full: dict[tuple[str, ...], set[int]] = {}
        self.by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for contact_id, name in contacts:
            key = name_key(name)
            if not key:
                continue
            self.by_full.setdefault(key, set()).add(contact_id)
            self.by_first.setdefault(key[0], []).append((key, contact_id))

    def by_name(self, name: str) -> int | None:
        """The one contact whose full name is this name (None when none or ambiguous)."""
        key = name_key(name)
        if len(key) < 2 and (not key or len(key[0]) < MIN_SINGLE_NAME):
            return None
        found = self.by_full.get(key, set())
        return next(iter(found)) if len(found) == 1 else None

    def in_title(self, title: str) -> list[int]:
        """Contacts whose full name (two words or more) appears in a title, in order."""
        words = _words(title)
        found: list[int] = []
        for i, word in enumerate(words):
            for key, contact_id in self.by_first.get(word, []):
                unique = len(self.by_full.get(key, ())) == 1
                matches = len(key) >= 2 and tuple(words[i : i + len(key)]) == key
                if matches and unique and contact_id not in found:
                    found.append(contact_id)
        return found


def load_name_index(user_id: int) -> NameIndex:
    """All of the user's contacts, by name."""
    rows = db.session.execute(select(Contact.id, Contact.name).where(Contact.user_id == user_id))
    return NameIndex((row.id, row.name) for row in rows)


def contacts_by_email(user_id: int, emails: Iterable[str]) -> dict[str, int]:
    """Exact address → contact id (lowest id wins when two contacts share an address)."""
    wanted = sorted({e for e in emails if e})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = db.session.execute(
            select(ContactEmail.email, ContactEmail.contact_id)
            .where(ContactEmail.user_id == user_id, ContactEmail.email.in_(wanted[start : start + 500]))
            .order_by(ContactEmail.contact_id)
        )
        for row in rows:
            found.setdefault(row.email, row.contact_id)
    return found


def match_attendees(
    user_id: int, meetings: list[Meeting], names: NameIndex | None = None
) -> None:
    """Link attendees by exact e-mail; suggest by name; suggest from the title when empty."""
    emails = {a.email for m in meetings for a in m.attendees if a.email}
    linked = contacts_by_email(user_id, emails)
    names = names if names is not None else load_name_index(user_id)
    for meeting in meetings:
        for attendee in meeting.attendees:
            if attendee.contact_id is not None:
                continue
            if attendee.email and attendee.email in linked:
                attendee.contact_id = linked[attendee.email]
                attendee.suggested_contact_id = None
            elif attendee.suggested_contact_id is None and attendee.name:
                attendee.suggested_contact_id = names.by_name(attendee.name)
        if not meeting.attendees:
            suggest_from_title(user_id, meeting, names)


def suggest_from_title(user_id: int, meeting: Meeting, names: NameIndex) -> None:
    """Feeds without attendees (Outlook): people named in the title, as suggestions."""
    for position, contact_id in enumerate(names.in_title(meeting.title)[:10]):
        meeting.attendees.append(
            MeetingAttendee(
                user_id=user_id,
                position=position,
                email=None,
                name="",
                role=SUGGESTED_ROLE,
                partstat="NEEDS-ACTION",
                is_organizer=False,
                suggested_contact_id=contact_id,
            )
        )


def counts_as_other(attendee: MeetingAttendee) -> bool:
    """A real other person: from the feed, or a title suggestion the user confirmed."""
    return attendee.role != SUGGESTED_ROLE or attendee.contact_id is not None


def teach_address(user_id: int, contact: Contact, email: str | None) -> None:
    """Add a confirmed address to the contact and link every unlinked attendee using it."""
    if not email:
        return
    exists = db.session.scalar(
        select(ContactEmail.id).where(
            ContactEmail.user_id == user_id,
            ContactEmail.contact_id == contact.id,
            ContactEmail.email == email,
        )
    )
    if exists is None:
        position = len(contact.email_rows)
        contact.email_rows.append(
            ContactEmail(user_id=user_id, email=email, position=position)
        )
    for attendee in db.session.scalars(
        select(MeetingAttendee).where(
            MeetingAttendee.user_id == user_id,
            MeetingAttendee.email == email,
            MeetingAttendee.contact_id.is_(None),
        )
    ):
        attendee.contact_id = contact.id
        attendee.suggested_contact_id = None


def confirm_attendee(
    user_id: int, meeting: Meeting, attendee: MeetingAttendee, contact: Contact
) -> None:
    """The user says this attendee is that contact: link it and learn the address."""
    attendee.contact_id = contact.id
    attendee.suggested_contact_id = None
    teach_address(user_id, contact, attendee.email)
    meeting.has_others = any(counts_as_other(a) for a in meeting.attendees)


def prefill_for(attendee: MeetingAttendee) -> dict[str, Any]:
    """Name and e-mail to prefill a new contact from an attendee."""
    name = attendee.name.strip()
    if name.count(",") == 1 and attendee.email:  # "Doe, John" → "John Doe"
        last, first = name.split(",")
        name = f"{first.strip()} {last.strip()}"
    if not name and attendee.email:
        local = attendee.email.split("@", 1)[0]
        name = " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part)
    return {"name": name or "New contact", "emails": [attendee.email] if attendee.email else []}
