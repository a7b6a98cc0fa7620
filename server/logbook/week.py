"""The weekly look-back: what went well in the last seven days, and who to give to next and
why (a promise owed, a challenge to ask about, a win to congratulate, someone drifting past
their cadence). The digest push opens it at /week."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..models import User
from .cadence import cadence_by_kind, known_cadences
from .clock import local_today
from .habits import score_window
from .habits.coach import PROMISED, message_urls, plural, times
from .today import check_ins_due, open_promises, overdue_people, wins_to_congratulate

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
    """People to give to this week, one reason each, the most pressing kinds first."""
    today = local_today(user, now)
    by_kind = cadence_by_kind(user)
    found: list[tuple[dict[str, Any], str, str]] = []
    for promise in open_promises(user, today, GIVE_TO_MAX)["items"]:
        for person in promise["people"][:1]:
            what = PROMISED.get(promise["category"], "something")
            when = " — it is overdue" if promise["overdue"] else ""
            found.append((person, "promise", f"You promised {person['name']} {what}{when}."))
    for challenge in check_ins_due(user, today, GIVE_TO_MAX)["items"]:
        person = challenge["contact"]
        found.append((person, "challenge", f"Ask {person['name']} how “{challenge['text']}” is going."))
    for win in wins_to_congratulate(user, GIVE_TO_MAX)["items"]:
        person = win["contact"]
        found.append((person, "win", f"Congratulate {person['name']}: {win['text']}."))
    lapsed = overdue_people(user, now, today, by_kind, GIVE_TO_MAX, known_cadences(user, by_kind))
    for row in lapsed["items"]:
        person = row["contact"]
        found.append((
            person, "drifting",
            f"{person['name']} is {row['overdue_days']} days past your "
            f"{row['cadence_days']}-day rhythm.",
        ))
    seen: set[int] = set()
    people: list[dict[str, Any]] = []
    for person, why, text in found:
        if person["id"] in seen:
            continue
        seen.add(person["id"])
        people.append({"contact": person, "reason": why, "text": text})
    people = people[:GIVE_TO_MAX]
    urls = message_urls(user, [p["contact"]["id"] for p in people])
    for shown in people:
        shown["message_url"] = urls.get(shown["contact"]["id"])
    return people
