"""The checks on a feed's raw bytes before any parser sees them: cheap, linear, no icalendar.

The web process uses :func:`decode_body` to refuse a file that is not a calendar at once; the
parser child uses both functions before handing the text to icalendar.
"""

from __future__ import annotations

import re
from typing import Any

from .outcome import FeedError

MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_LINE_BYTES = 256 * 1024
MAX_COMPONENTS = 50_000
MAX_TEXT = 500
# A web page asking for a password or to sign in: the link is not the calendar's secret one.
LOGIN_PAGE = re.compile(
    r"<input[^>]+type=[\"']?password|\bsign[ -]?in\b|\blog[ -]?in\b|\bauthenticat", re.I
)


def decode_body(data: bytes) -> str:
    """Bytes to text (UTF-8, BOM stripped, Latin-1 as a last resort) with the raw checks."""
    if len(data) > MAX_BODY_BYTES:
        raise FeedError("too_big")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text[:4096]:
        raise FeedError("not_calendar")
    if not re.search(r"^BEGIN:VCALENDAR\s*$", text[:65536], re.M | re.I):
        raise FeedError("needs_secret" if LOGIN_PAGE.search(text[:65536]) else "not_calendar")
    return text


def limit_lines(text: str, notes: list[str]) -> str:
    """Drop over-long content lines and refuse bodies with too many components."""
    lines = re.split(r"\r\n|\n|\r", text)
    kept: list[str] = []
    dropped = 0
    components = 0
    for line in lines:
        if len(line) > MAX_LINE_BYTES:
            if kept and line[:1] in (" ", "\t"):
                pass  # a folded continuation of the line just kept: drop it too
            dropped += 1
            continue
        if line[:6].upper() == "BEGIN:":
            components += 1
            if components > MAX_COMPONENTS:
                raise FeedError(
                    "too_heavy",
                    f"The calendar has more than {MAX_COMPONENTS:,} entries; Rapport reads no more.",
                )
        kept.append(line)
    if dropped:
        notes.append(f"{dropped} over-long line(s) were skipped.")
    return "\r\n".join(kept) + "\r\n"


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """A single-line, length-capped string from an iCalendar text value."""
    text = str(value or "")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).replace("\n", " ").strip()
    return text[:limit]
