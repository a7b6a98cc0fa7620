"""What the parser hands back: plain data that crosses the parser child's pipe as JSON.

Apart from the parser so the worker, which only reads these, does not import icalendar and
recurring_ical_events (~6 MB resident): parsing happens in the child processes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .attendees import ParsedAttendee


@dataclass
class ParsedOccurrence:
    """One occurrence of one event, times in UTC."""

    uid: str
    recurrence_key: str
    title: str
    location: str
    start_at: datetime
    end_at: datetime
    status: str
    attendees: list[ParsedAttendee] = field(default_factory=list)


@dataclass
class ParsedFeed:
    """What a feed holds inside the window, plus what went wrong on the way."""

    occurrences: list[ParsedOccurrence]
    warnings: list[str]
    calendar_name: str = ""
    owner_emails: list[str] = field(default_factory=list)
    problem: str | None = None  # "empty" or "only_past" when the window holds nothing

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (datetimes as ISO strings) for the trip out of the child process."""
        data = asdict(self)
        for occ in data["occurrences"]:
            occ["start_at"] = occ["start_at"].isoformat()
            occ["end_at"] = occ["end_at"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedFeed:
        """Inverse of to_json."""
        occurrences = []
        for occ in data["occurrences"]:
            attendees = [ParsedAttendee(**a) for a in occ.pop("attendees")]
            occ["start_at"] = datetime.fromisoformat(occ["start_at"])
            occ["end_at"] = datetime.fromisoformat(occ["end_at"])
            occurrences.append(ParsedOccurrence(**occ, attendees=attendees))
        return cls(
            occurrences=occurrences,
            warnings=list(data["warnings"]),
            calendar_name=data.get("calendar_name", ""),
            owner_emails=list(data.get("owner_emails", [])),
            problem=data.get("problem"),
        )
