"""The weekly look-back: what went well in the last seven days, and who to give to next and
why (the same list the weekly digest push names; it opens this page at /week)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..models import User
from .give_to import people_to_give_to
from .habits import score_window
from .habits.coach import plural, times
from .habits.reach import message_urls

WEEK_DAYS = 7
GIVE_TO_MAX = 5


def build_week(user: User, now: datetime) -> dict[str, Any]:
    """The last seven days in sentences, and up to five people to give to, each with why."""
    blocks = score_window(user, now, WEEK_DAYS)
    return {
        "from": now - timedelta(days=WEEK_DAYS),
        "to": now,
        "logs": blocks["empathy"]["logs"],
        "went_well": went_well(blocks),
        "give_to": give_to(user, now),
    }


def went_well(blocks: dict[str, dict[str, Any]]) -> list[str]:
    """Sentences for the good things of the week; empty when nothing was logged."""
    giving, empathy, face = blocks["giving"], blocks["empathy"], blocks["face_time"]
    friends = blocks["friendship"]
    found = []
    if empathy["logs"]:
        found.append(f"You logged {plural(empathy['logs'], 'conversation')}.")
    if face["in_person_logs"]:
        found.append(f"You met people in person {times(face['in_person_logs'])}.")
    if giving["gave"]:
        got = f" and received {giving['received']}" if giving["received"] else ""
        found.append(f"You gave {times(giving['gave'])}{got}.")
    if giving["promises_kept"]:
        found.append(f"You kept {plural(giving['promises_kept'], 'promise')}.")
    if empathy["caring_logs"]:
        found.append(f"You noted what was on their mind {times(empathy['caring_logs'])}.")
    if friends["greeted"]:
        found.append(f"You greeted {plural(friends['greeted'], 'birthday')} on the day.")
    if friends["wins_congratulated"]:
        found.append(f"You congratulated {plural(friends['wins_congratulated'], 'win')}.")
    return found


def give_to(user: User, now: datetime) -> list[dict[str, Any]]:
    """People to give to this week, one reason each, the most pressing first."""
    people = people_to_give_to(user, now, GIVE_TO_MAX)
    urls = message_urls(user, [p.contact["id"] for p in people])
    return [
        {"contact": p.contact, "reason": p.reason, "text": p.text,
         "message_url": urls.get(p.contact["id"])}
        for p in people
    ]
