"""Who is in an event: organizer and attendees read from one VEVENT (never from its VALARMs)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

EMAIL = re.compile(r"^[^@\s<>\"',;:]+@[^@\s<>\"',;:]+\.[^@\s<>\"',;:]+$")
MAX_ATTENDEES = 200
# Addresses that are calendars, rooms or placeholders rather than people.
NOT_PEOPLE_SUFFIXES = (
    "@resource.calendar.google.com",
    "@group.calendar.google.com",
    "@group.v.calendar.google.com",
    "@import.calendar.google.com",
)
NOT_PEOPLE = frozenset({"unknownorganizer@calendar.google.com"})
NOT_PEOPLE_CUTYPES = frozenset({"ROOM", "RESOURCE", "GROUP"})


@dataclass
class ParsedAttendee:
    """A person on an event as the feed states it."""

    email: str | None
    name: str
    role: str
    partstat: str
    is_organizer: bool


def normalise_email(value: str | None) -> str | None:
    """A lower-cased address, or None when the text is not an e-mail address."""
    if not value:
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().strip("<>").lower()
    if len(text) > 254 or not EMAIL.match(text):
        return None
    return text


def address_of(prop: Any) -> str | None:
    """The e-mail of an ATTENDEE/ORGANIZER value: mailto:, else the EMAIL= parameter."""
    value = str(prop)
    params = getattr(prop, "params", {}) or {}
    if value.lower().startswith("mailto:"):
        found = normalise_email(value)
        if found:
            return found
    # CalendarServer principals (/123/principal/, urn:uuid:) carry the address in EMAIL=.
    return normalise_email(params.get("EMAIL"))


def is_a_person(email: str | None, cutype: str) -> bool:
    """False for rooms, resources, group calendars and placeholder organizers."""
    if cutype.upper() in NOT_PEOPLE_CUTYPES:
        return False
    if email is None:
        return True
    return email not in NOT_PEOPLE and not email.endswith(NOT_PEOPLE_SUFFIXES)


def _clean_name(prop: Any, email: str | None) -> str:
    params = getattr(prop, "params", {}) or {}
    name = str(params.get("CN") or "").strip().strip('"').strip()
    name = re.sub(r"[\x00-\x1f\x7f]", " ", name)[:200]
    if email and name.lower() in (email, f"mailto:{email}"):
        return ""
    return name


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def event_attendees(event: Any) -> list[ParsedAttendee]:
    """The organizer and attendees of one event, people only, one entry per address."""
    people: list[ParsedAttendee] = []
    by_email: dict[str, ParsedAttendee] = {}
    entries = [(p, True) for p in _as_list(event.get("ORGANIZER"))]
    entries += [(p, False) for p in _as_list(event.get("ATTENDEE"))]
    for prop, organizer in entries[: MAX_ATTENDEES + 1]:
        params = getattr(prop, "params", {}) or {}
        email = address_of(prop)
        if not is_a_person(email, str(params.get("CUTYPE") or "INDIVIDUAL")):
            continue
        name = _clean_name(prop, email)
        if email is None and not name:
            continue
        partstat = str(params.get("PARTSTAT") or ("ACCEPTED" if organizer else "NEEDS-ACTION"))
        entry = ParsedAttendee(
            email=email,
            name=name,
            role="CHAIR" if organizer else str(params.get("ROLE") or "REQ-PARTICIPANT")[:20],
            partstat=partstat.upper()[:20],
            is_organizer=organizer,
        )
        known = by_email.get(email) if email else None
        if known is not None:  # the organizer also listed as an attendee: one person
            known.is_organizer = known.is_organizer or organizer
            known.name = known.name or entry.name
            if not organizer:
                known.partstat, known.role = entry.partstat, entry.role
            continue
        if email:
            by_email[email] = entry
        people.append(entry)
    return people[:MAX_ATTENDEES]


def owner_address(calendar: Any) -> str | None:
    """The address of the calendar's owner when the feed states it (Google: X-WR-CALNAME)."""
    return normalise_email(str(calendar.get("X-WR-CALNAME") or ""))
