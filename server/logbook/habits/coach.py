"""Words for the Habits screen: where the user stands, in a sentence, and one next step with
a person for each habit. Each step names who, why, and how to reach them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Contact, User
from ..bound import USER_ID
from ..cadence import CORE_KINDS, Cadences
from ..clock import local_date
from ..lapsed import lapsed_people
from ..today import (
    check_ins_due,
    give_first,
    open_promises,
    upcoming_birthdays,
    wins_to_congratulate,
)
from .reach import message_urls

TREND_STEP = 5  # points a score must move to count as up or down
PROMISED = {
    "intro": "an introduction",
    "advice": "some advice",
    "referral": "a referral",
    "feedback": "your feedback",
    "favor": "a favour",
    "gift": "a gift",
    "time": "some time",
    "congrats": "your congratulations",
    "listening": "a listening ear",
    "other": "something",
}


def times(n: int) -> str:
    """'once', 'twice', '5 times'."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def plural(n: int, word: str) -> str:
    """'1 promise', '3 promises'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def trend(score: int | None, previous: int | None) -> str | None:
    """'up', 'down' or 'steady' against the period before; None when either is unscored."""
    if score is None or previous is None:
        return None
    if score - previous >= TREND_STEP:
        return "up"
    if previous - score >= TREND_STEP:
        return "down"
    return "steady"


def summaries(blocks: dict[str, dict[str, Any]], days: int) -> dict[str, str]:
    """One plain sentence per habit: where the user stands, numbers inside the words."""
    return {key: SUMMARY[key](block, days) for key, block in blocks.items()}


def _giving(b: dict[str, Any], days: int) -> str:
    if b["score"] is None:
        return "Not enough yet: note what you give and get in a few more conversations."
    gave, received = b["gave"], b["received"]
    verdict = (
        "you give first" if gave > received
        else "an even exchange" if gave == received
        else "you received more than you gave"
    )
    text = f"You gave {times(gave)} and received {received} in {days} days — {verdict}."
    if b["promises_overdue"]:
        text += f" {plural(b['promises_overdue'], 'promise')} overdue."
    return text


def _empathy(b: dict[str, Any], days: int) -> str:
    if b["score"] is None:
        return "Not enough yet: after a few more logs this shows how often you note what is on their mind."
    text = f"You noted what was on their mind in {b['caring_logs']} of {b['logs']} conversations."
    if b["check_ins_overdue"]:
        text += f" {plural(b['check_ins_overdue'], 'check-in')} overdue."
    return text


def _face_time(b: dict[str, Any], days: int) -> str:
    if b["core_contacts"] == 0:
        return "Mark your mentors, clients, peers and friends in People to see who you meet in person."
    if b["score"] is None:
        return "Not enough yet: the close people you added are not due for a meeting yet."
    return (
        f"You met {b['core_within_cadence']} of {b['core_tracked']} close people in person "
        "as often as you planned to."
    )


def _work(b: dict[str, Any], days: int) -> str:
    if b["contacts"] == 0:
        return "Add the people you want to keep in touch with to see this."
    if b["score"] is None:
        return "Not enough yet: the people you added are not due yet."
    text = f"{b['within_cadence']} of {b['tracked']} people heard from you on time"
    if b["overdue"]:
        text += f"; {b['overdue']} {'is' if b['overdue'] == 1 else 'are'} overdue."
    else:
        text += "."
    if b["follow_ups_overdue"]:
        text += f" {plural(b['follow_ups_overdue'], 'follow-up')} overdue."
    return text


def _unique_voice(b: dict[str, Any], days: int) -> str:
    if b["score"] is None:
        return "Not enough yet: log a few more conversations to see whose views you hear."
    heard = f"heard an outside view {times(b['heard'])}" if b["heard"] else "heard no outside view"
    offered = f"offered one {times(b['offered'])}" if b["offered"] else "offered none"
    return f"You {heard} and {offered} in {days} days; the aim is about one of each a month."


def _friendship(b: dict[str, Any], days: int) -> str:
    if b["score"] is None:
        return "No birthdays or wins to celebrate in this period yet."
    parts = []
    if b["birthdays"]:
        parts.append(f"greeted {b['greeted']} of {plural(b['birthdays'], 'birthday')}")
    if b["wins"]:
        parts.append(f"congratulated {b['wins_congratulated']} of {plural(b['wins'], 'win')}")
    return "You " + " and ".join(parts) + " on time."


SUMMARY = {
    "giving": _giving,
    "empathy": _empathy,
    "face_time": _face_time,
    "work": _work,
    "unique_voice": _unique_voice,
    "friendship": _friendship,
}


# The coach's own statements, kept (see ..bound): whom to name when no list has someone.
_LAST_TALKED = (  # the person last talked with
    select(Contact.id, Contact.name)
    .where(Contact.user_id == USER_ID, Contact.last_interaction_at.is_not(None))
    .order_by(Contact.last_interaction_at.desc(), Contact.id)
    .limit(1)
)
_NEVER_MET = (  # the core person added first and never met in person
    select(Contact.id, Contact.name)
    .where(Contact.user_id == USER_ID, Contact.kind.in_(CORE_KINDS), Contact.last_in_person_at.is_(None))
    .order_by(Contact.created_at, Contact.id)
    .limit(1)
)
_LONGEST_QUIET = {  # the mentor (mentee) not talked with for longest, never first
    kind: select(Contact.id, Contact.name, Contact.last_interaction_at)
    .where(Contact.user_id == USER_ID, Contact.kind == kind)
    .order_by(Contact.last_interaction_at.is_not(None), Contact.last_interaction_at, Contact.id)
    .limit(1)
    for kind in ("mentor", "mentee")
}


class Coach:
    """Finds the one next step for each habit, reading the same lists as Today."""

    def __init__(self, user: User, now: datetime, today: date, cadences: Cadences) -> None:
        self.user, self.now, self.today = user, now, today
        by_kind, in_use = cadences  # the first lapsed person by either clock, uncounted
        self._lapse_args = (user, now, today, by_kind, 1, in_use)

    def next_actions(self, blocks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        """One step per habit, or None when there is nobody to name."""
        steps = {
            "giving": self._giving,
            "empathy": self._empathy,
            "face_time": self._face_time,
            "work": self._work,
            "unique_voice": lambda: self._unique_voice(blocks["unique_voice"]),
            "friendship": self._friendship,
        }
        found = {key: step() for key, step in steps.items()}
        urls = message_urls(self.user, [step[0]["id"] for step in found.values() if step])
        return {key: self._with_reach(step, urls) for key, step in found.items()}

    def _days_since(self, moment: datetime | None) -> int | None:
        return None if moment is None else (self.today - local_date(self.user, moment)).days

    def _giving(self) -> tuple[dict[str, Any], str] | None:
        for promise in open_promises(self.user, self.today, 5)["items"]:
            if promise["overdue"] and promise["people"]:
                person = promise["people"][0]
                what = PROMISED.get(promise["category"], "something")
                if promise["note"]:
                    what += f" ({promise['note']})"
                return person, f"You promised {person['name']} {what} — deliver it or set a new date."
        for owed in give_first(self.user, self.now, 1)["items"]:
            person = owed["contact"]
            return person, (
                f"{person['name']} gave you {times(owed['received'])} and you gave "
                f"{times(owed['gave']) if owed['gave'] else 'nothing back'} — give first next time."
            )
        return None

    def _empathy(self) -> tuple[dict[str, Any], str] | None:
        for challenge in check_ins_due(self.user, self.today, 1)["items"]:
            person = challenge["contact"]
            return person, f"Ask {person['name']} how “{challenge['text']}” is going."
        last = db.session.execute(_LAST_TALKED, {"user_id": self.user.id}).first()
        if last is None:
            return None
        person = {"id": last.id, "name": last.name}
        return person, f"Next time you talk with {last.name}, note what is on their mind."

    def _face_time(self) -> tuple[dict[str, Any], str] | None:
        lapsed = lapsed_people("face_time", *self._lapse_args, counted=False)["items"]
        for row in lapsed:
            person, since = row["contact"], self._days_since(row["last_in_person_at"])
            if since is None:
                return person, f"You have not met {person['name']} in person yet — suggest a coffee."
            return person, f"You last saw {person['name']} in person {since} days ago — suggest a coffee."
        never = db.session.execute(_NEVER_MET, {"user_id": self.user.id}).first()
        if never is None:
            return None
        person = {"id": never.id, "name": never.name}
        return person, f"You have not met {never.name} in person yet — suggest a coffee."

    def _work(self) -> tuple[dict[str, Any], str] | None:
        lapsed = lapsed_people("overdue", *self._lapse_args, counted=False)["items"]
        for row in lapsed:
            person, since = row["contact"], self._days_since(row["last_interaction_at"])
            if since is None:
                return person, f"You have not been in touch with {person['name']} yet."
            return person, f"{person['name']} hasn't heard from you in {since} days."
        return None

    def _unique_voice(self, block: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
        # Ask the side that is behind: hearing (mentors) unless offering lags more.
        kinds = ("mentee", "mentor") if block["offered"] < block["heard"] else ("mentor", "mentee")
        for kind in kinds:
            row = db.session.execute(_LONGEST_QUIET[kind], {"user_id": self.user.id}).first()
            if row is None:
                continue
            person = {"id": row.id, "name": row.name}
            since = self._days_since(row.last_interaction_at)
            when = "you have not talked yet" if since is None else f"last talked {since} days ago"
            if kind == "mentor":
                return person, f"Ask {row.name} for advice on what you are working on — {when}."
            return person, f"Offer {row.name} your feedback — {when}."
        return None

    def _friendship(self) -> tuple[dict[str, Any], str] | None:
        for birthday in upcoming_birthdays(self.user, self.today, 1)["items"]:
            person, days = birthday["contact"], birthday["days_until"]
            when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
            return person, f"{person['name']}'s birthday is {when} — send a note."
        for win in wins_to_congratulate(self.user, 1)["items"]:
            person = win["contact"]
            return person, f"Congratulate {person['name']}: {win['text']}."
        return None

    def _with_reach(
        self, step: tuple[dict[str, Any], str] | None, urls: dict[int, str | None]
    ) -> dict[str, Any] | None:
        """The step as shown: the person, the words, and a link to message them if we can."""
        if step is None:
            return None
        person, text = step
        return {"contact": person, "text": text, "message_url": urls.get(person["id"])}
