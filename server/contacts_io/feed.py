"""The private outgoing calendar: birthdays, follow-ups and check-ins, keep-in-touch dates.

Everything is an all-day event (`VALUE=DATE`), which Google Calendar, Apple Calendar and
Outlook all show without time-zone surprises. Birthdays repeat yearly; 29 February repeats
on the last day of February so it still appears in common years. UIDs are stable, so a
subscribed calendar updates events in place instead of duplicating them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Event

from .records import split_partial_date

PRODID = "-//Rapport//Rapport outgoing feed//EN"
UID_DOMAIN = "rapport"
# A year without a birth year: 2000 is a leap year, so 29 February is a valid start.
PLACEHOLDER_YEAR = 2000
FEED_TOKEN_BYTES = 32


@dataclass(frozen=True)
class FeedItem:
    """One dated thing to show: a follow-up, a check-in, a keep-in-touch date."""

    uid: str
    on: date
    summary: str
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class Birthday:
    """A contact's birthday; year None when unknown."""

    contact_id: int
    name: str
    birthday: str
    url: str = ""


def new_feed_token() -> str:
    """A fresh unguessable feed secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def birthday_event(item: Birthday, stamp: datetime) -> Event:
    """A yearly all-day event on the birthday."""
    from icalendar import Event, vRecur  # only a feed request needs the iCalendar writer

    year, month, day = split_partial_date(item.birthday)
    assert month is not None and day is not None
    start = date(year or PLACEHOLDER_YEAR, month, day)
    event = Event()
    event.add("uid", f"birthday-{item.contact_id}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", f"{item.name}'s birthday")
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(days=1))
    if (month, day) == (2, 29):
        event.add("rrule", vRecur(freq="YEARLY", bymonth=2, bymonthday=-1))
    else:
        event.add("rrule", vRecur(freq="YEARLY"))
    if year:
        event.add("description", f"Born {start.isoformat()}.")
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Birthday"])
    if item.url:
        event.add("url", item.url)
    return event


def item_event(item: FeedItem, stamp: datetime) -> Event:
    """A one-day, non-blocking event."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"{item.uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", item.summary)
    event.add("dtstart", item.on)
    event.add("dtend", item.on + timedelta(days=1))
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    event.add("transp", "TRANSPARENT")
    return event


def build_feed(
    calendar_name: str,
    birthdays: Iterable[Birthday],
    items: Iterable[FeedItem],
    now: datetime,
) -> bytes:
    """The whole feed as iCalendar bytes (CRLF, folded)."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-caldesc", "Birthdays, follow-ups and keep-in-touch dates from Rapport.")
    # Hints for how often subscribers re-fetch (Outlook/Apple read the first, others the second).
    cal.add("x-published-ttl", "PT6H")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = now.replace(microsecond=0)
    for birthday in birthdays:
        cal.add_component(birthday_event(birthday, stamp))
    for item in items:
        cal.add_component(item_event(item, stamp))
    return cal.to_ical()
