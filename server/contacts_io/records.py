"""The plain shape every reader produces and the rules that clean its fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Field caps follow the contacts table; a value past them is cut, not refused,
# except the name, which a person would never type that long.
NAME_MAX = 200
COMPANY_MAX = 200
TITLE_MAX = 200
URL_MAX = 500
EMAIL_MAX = 254
PHONE_MAX = 50
TAG_MAX = 60
NOTES_MAX = 20_000
EMAILS_PER_CONTACT_MAX = 20
PHONES_PER_CONTACT_MAX = 20
TAGS_PER_CONTACT_MAX = 30

# Apple writes 1604 for "no year"; other exporters use year 0, 1 or 1900-like placeholders
# below 1800. A year before 1800 or after this year is read as "unknown", keeping the day.
NO_YEAR_BEFORE = 1800

_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
_SPACES_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class ContactRecord:
    """One person read from a file, before it is matched against the user's contacts."""

    position: int
    name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    company: str = ""
    title: str = ""
    notes: str = ""
    url: str = ""
    tags: list[str] = field(default_factory=list)
    birthday: str | None = None
    anniversary: str | None = None
    how_met: str = ""  # only some formats say (LinkedIn's "Connected On")

    def as_dict(self) -> dict[str, Any]:
        """The record as the fields a contact is created from."""
        fields = {
            "name": self.name,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "company": self.company,
            "title": self.title,
            "notes": self.notes,
            "url": self.url,
            "tags": list(self.tags),
            "birthday": self.birthday,
            "anniversary": self.anniversary,
        }
        if self.how_met:
            fields["how_met"] = self.how_met
        return fields


@dataclass
class CardError:
    """A card that could not be read; the rest of the file goes on."""

    position: int
    name: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form for the import report."""
        return {"card": self.position, "name": self.name, "message": self.message}


@dataclass
class ParseResult:
    """Everything a reader found in one file."""

    records: list[ContactRecord] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)


class NotAContactsFile(ValueError):
    """The upload is not a vCard or CSV file at all; `status` is 415 or 422."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def clean_text(value: str, limit: int) -> str:
    """Strip control characters and surrounding space; cut to the limit."""
    value = _CONTROL_RE.sub("", value)
    return value.strip()[:limit].strip()


def clean_line(value: str, limit: int) -> str:
    """One-line text: whitespace runs collapsed."""
    return _SPACES_RE.sub(" ", clean_text(value, limit * 4)).strip()[:limit].strip()


def normalize_email(value: str) -> str | None:
    """Lower-cased address, or None when the value is not an e-mail address."""
    value = value.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.lower()
    if len(value) > EMAIL_MAX or not _EMAIL_RE.match(value):
        return None
    return value


def normalize_phone(value: str) -> str | None:
    """The number as written, or None when it holds no digit."""
    value = clean_line(value, PHONE_MAX)
    if value.lower().startswith("tel:"):
        value = value[4:].strip()
    if not any(ch.isdigit() for ch in value):
        return None
    return value


def phone_key(value: str) -> str:
    """Digits (and a leading +) only, so `905-555-1234` and `(905) 555 1234` compare equal."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return ("+" if value.strip().startswith("+") else "") + digits


def name_key(value: str) -> str:
    """Case- and space-insensitive form of a name for exact-name matching."""
    return _SPACES_RE.sub(" ", value).strip().casefold()


def add_unique(items: list[str], value: str | None, limit: int, key: Any = None) -> None:
    """Append value unless empty, already present (by key) or the list is full."""
    if not value or len(items) >= limit:
        return
    keyf = key or (lambda s: s)
    wanted = keyf(value)
    if any(keyf(item) == wanted for item in items):
        return
    items.append(value)


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^--(?P<m>\d{2})-?(?P<d>\d{2})$"),
    re.compile(r"^(?P<m>\d{2})-(?P<d>\d{2})$"),
)


def parse_partial_date(value: str, omit_year: str | None = None) -> str | None:
    """`YYYY-MM-DD` or `--MM-DD` from any real-world date form; None when it is not a date.

    Accepts `YYYY-MM-DD`, `YYYYMMDD`, `--MMDD`, `--MM-DD`, a trailing time
    (`1980-03-22T00:00:00Z`), and Apple's placeholder year (1604 with or without
    `X-APPLE-OMIT-YEAR`).
    """
    text = value.strip()
    if not text or len(text) > 40:
        return None
    if "T" in text[8:]:
        text = text[: text.index("T", 8)]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            break
    else:
        return None
    parts = match.groupdict()
    month, day = int(parts["m"]), int(parts["d"])
    year = int(parts["y"]) if parts.get("y") else None
    if year is not None and omit_year is not None and omit_year.strip() == str(year):
        year = None
    if year is not None and not NO_YEAR_BEFORE <= year <= date.today().year:
        year = None
    try:
        date(year if year is not None else 2000, month, day)  # 2000 is leap: 29 Feb is fine
    except ValueError:
        return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def split_partial_date(value: str | None) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a `YYYY-MM-DD` / `--MM-DD` string; Nones when absent."""
    if not value:
        return None, None, None
    if value.startswith("--"):
        return None, int(value[2:4]), int(value[5:7])
    return int(value[0:4]), int(value[5:7]), int(value[8:10])
