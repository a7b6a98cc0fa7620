"""LinkedIn's Connections.csv (Settings → Data privacy → Get a copy of your data).

The file starts with a few "Notes:" lines before its header (First Name, Last Name, URL,
Email Address, Company, Position, Connected On). Company and position are kept, the
profile URL becomes the contact's URL, and "Connected On" becomes how you met.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from .google_csv import CELL_MAX_CHARS, decode_csv
from .records import (
    COMPANY_MAX,
    EMAILS_PER_CONTACT_MAX,
    NAME_MAX,
    TITLE_MAX,
    URL_MAX,
    CardError,
    ContactRecord,
    NotAContactsFile,
    ParseResult,
    add_unique,
    clean_line,
    normalize_email,
)

HEADER = ("first name", "last name", "url", "email address", "company", "position",
          "connected on")
PREAMBLE_LINES_MAX = 20
HOW_MET_MAX = 500


def _header_of(row: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lstrip("\ufeff").strip().lower() for cell in row]
    if not {"first name", "last name", "connected on"} <= set(names):
        return None
    return {name: names.index(name) for name in HEADER if name in names}


def looks_like_linkedin(text: str) -> bool:
    """A LinkedIn connections export: its header within the first lines (after the notes)."""
    reader = csv.reader(io.StringIO(text[:16384], newline=""), strict=False)
    try:
        for _ in range(PREAMBLE_LINES_MAX):
            if _header_of(next(reader)) is not None:
                return True
    except (StopIteration, csv.Error):
        return False
    return False


def connected_words(value: str) -> str:
    """"12 Mar 2021" → "Connected on LinkedIn on 12 Mar 2021" (any other text kept as is)."""
    value = value.strip()
    for layout in ("%d %b %Y", "%d-%b-%y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(value, layout).date()
        except ValueError:
            continue
        return f"Connected on LinkedIn on {day.day} {day:%b %Y}"
    return f"Connected on LinkedIn: {value}" if value else "Connected on LinkedIn"


def read_linkedin_csv(data: bytes) -> ParseResult:
    """Each connection as a contact; the notes before the header are skipped."""
    csv.field_size_limit(CELL_MAX_CHARS)
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""), strict=False)
    columns = None
    for _ in range(PREAMBLE_LINES_MAX):
        try:
            columns = _header_of(next(reader))
        except (StopIteration, csv.Error):
            break
        if columns is not None:
            break
    if columns is None:
        raise NotAContactsFile("This is not a LinkedIn Connections.csv: no header row found.")
    result = ParseResult()
    position = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            position += 1
            result.errors.append(CardError(position, "", f"This row could not be read: {exc}."))
            continue
        if not any(cell.strip() for cell in row):
            continue
        position += 1
        record = _record(position, row, columns)
        if not record.name:
            result.errors.append(CardError(position, "", "This row has no name."))
        elif len(record.name) > NAME_MAX:
            result.errors.append(CardError(position, record.name[:80],
                                           "The name is longer than 200 characters."))
        else:
            result.records.append(record)
    return result


def _record(position: int, row: list[str], columns: dict[str, int]) -> ContactRecord:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    record = ContactRecord(position)
    record.name = clean_line(f"{cell('first name')} {cell('last name')}", NAME_MAX + 1)
    add_unique(record.emails, normalize_email(cell("email address")), EMAILS_PER_CONTACT_MAX)
    record.company = clean_line(cell("company"), COMPANY_MAX)
    record.title = clean_line(cell("position"), TITLE_MAX)
    url = cell("url")
    record.url = clean_line(url, URL_MAX) if url.lower().startswith("https://") else ""
    record.how_met = clean_line(connected_words(cell("connected on")), HOW_MET_MAX)
    return record
