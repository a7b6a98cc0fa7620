"""What a sync can end in, in plain words: one registry the fetcher, the parser pool, the
sync and the API all read, so the page never shows a library's own message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One kind of failure (or empty result) and the sentence the user sees."""

    kind: str
    message: str
    retry: bool = True  # worth trying again on the next round


PROBLEMS: dict[str, Problem] = {
    p.kind: p
    for p in (
        Problem("unreachable", "Rapport could not reach this address. Check that the link is "
                "complete and that the calendar server is up."),
        Problem("needs_secret", "This link needs a login: the calendar server asked who you are. "
                "Use the calendar's secret address (see “Where to find the link”)."),
        Problem("not_calendar", "This address does not give a calendar: it sent a web page or "
                "another kind of file. Copy the link that ends in .ics."),
        Problem("not_found", "The calendar server does not know this address; the link may have "
                "been reset. Paste the current one."),
        Problem("only_past", "The calendar has only past events: nothing from two days ago "
                "onward.", retry=False),
        Problem("empty", "The calendar has no events.", retry=False),
        Problem("too_big", "The calendar is larger than 20 MB, more than Rapport reads."),
        Problem("too_heavy", "The calendar needs more work to read than Rapport allows for one "
                "calendar; its repeating events may be too many."),
        Problem("slow", "The calendar server is too slow to answer; Rapport will try again."),
        Problem("server_error", "The calendar server had a problem; Rapport will try again."),
        Problem("unreadable", "The calendar could not be read; the file may be damaged."),
        Problem("unsafe", "Rapport does not fetch this kind of address."),
        Problem("missing", "The uploaded file is missing; upload it again."),
        Problem("internal", "Rapport hit an internal error reading this calendar; it will try "
                "again."),
    )
}


class FeedError(ValueError):
    """The feed cannot be used; ``kind`` names a :data:`PROBLEMS` entry, the text is plain."""

    def __init__(self, kind: str, message: str | None = None) -> None:
        self.kind = kind if kind in PROBLEMS else "unreadable"
        super().__init__(message or PROBLEMS[self.kind].message)


def plain_message(kind: str | None) -> str | None:
    """The sentence for a problem kind (None for none)."""
    if kind is None:
        return None
    return PROBLEMS.get(kind, PROBLEMS["unreadable"]).message
