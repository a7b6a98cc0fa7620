"""Pre-meeting brief: N minutes before a meeting with people you know, what to remember.

"Coffee with Priya in 10 min" · "you're 2 ahead · on Priya's mind: hiring a CTO · you
promised an intro to Dana"; it opens the person's card. Meetings with only people you do not
know get none unless the user asks for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from marshmallow import fields, validate
from sqlalchemy import and_, or_, select

from ...calendars.log_rule import declined, named_in_title
from ...extensions import db
from ...logbook.reading import contact_names
from ...logbook.stats import contact_stats
from ...models import User
from ...models.calendars import Meeting
from ...models.interactions import Challenge, GiveTakeItem, InteractionContact
from ...models.push import Notification
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ..context import PlanContext
from ..lines import first_name
from ..registry import Kind, Option, register
from ..subjects import owned_subjects

LOOKAHEAD = timedelta(days=2)


def known_people(meeting: Meeting) -> list[int]:
    """The user's contacts on the meeting: linked attendees, else people named in the title."""
    linked = [a.contact_id for a in meeting.attendees if a.contact_id]
    return linked or named_in_title(meeting)


def _briefable(meeting: Meeting, strangers: bool) -> bool:
    if meeting.status == "cancelled" or meeting.all_day or declined(meeting):
        return False
    return bool(known_people(meeting)) or (strangers and meeting.has_others)


def balance_words(balance: int, name: str) -> str:
    """"you're 2 ahead", "Priya is 1 ahead", or "" when even."""
    if balance > 0:
        return f"you're {balance} ahead"
    if balance < 0:
        return f"{name} is {-balance} ahead"
    return ""


def brief_lines(user: User, contact_id: int, name: str, now: datetime) -> list[str]:
    """What to remember about one person: the balance, their challenge, your open promise."""
    first = first_name(name)
    lines = [balance_words(int(contact_stats(user, [contact_id], now)
                               .get(contact_id, {}).get("balance") or 0), first)]
    challenge = db.session.scalar(
        select(Challenge.text)
        .where(Challenge.user_id == user.id, Challenge.contact_id == contact_id,
               Challenge.resolved_at.is_(None))
        .order_by(Challenge.noted_on.desc(), Challenge.id.desc()).limit(1)
    )
    if challenge:
        lines.append(f"on {first}'s mind: {challenge}")
    in_log = select(InteractionContact.interaction_id).where(
        InteractionContact.user_id == user.id, InteractionContact.contact_id == contact_id
    )
    promise = db.session.execute(
        select(GiveTakeItem.note, GiveTakeItem.category)
        .where(GiveTakeItem.user_id == user.id,
               or_(GiveTakeItem.contact_id == contact_id,
                   and_(GiveTakeItem.contact_id.is_(None),
                        GiveTakeItem.interaction_id.in_(in_log))),
               GiveTakeItem.direction == "gave", GiveTakeItem.promised.is_(True),
               GiveTakeItem.delivered_at.is_(None))
        .order_by(GiveTakeItem.id.desc()).limit(1)
    ).first()
    if promise is not None:
        lines.append(f"you promised {promise.note or promise.category}")
    return [line for line in lines if line]


def plan_briefs(ctx: PlanContext) -> list[Planned]:
    """A brief `brief_minutes_before` each upcoming meeting with people the user knows."""
    lead = timedelta(minutes=int(ctx.settings["brief_minutes_before"]))
    strangers = bool(ctx.settings["brief_with_strangers"])
    meetings = [m for m in ctx.meetings_near(timedelta(0), LOOKAHEAD) if m.start_at > ctx.now]
    return [_brief(ctx, m, lead) for m in meetings if _briefable(m, strangers)]


def _brief(ctx: PlanContext, meeting: Meeting, lead: timedelta) -> Planned:
    people = known_people(meeting)
    names = contact_names(ctx.user.id, set(people))
    minutes = int(lead.total_seconds() // 60)
    title = (meeting.title or "").strip() or (
        f"Meeting with {names.get(people[0], 'someone')}" if people else "A meeting"
    )
    body, url = "Someone new: add them after the meeting.", "/"
    if people and people[0] in names:
        body = " · ".join(brief_lines(ctx.user, people[0], names[people[0]], ctx.now)) or (
            f"Nothing logged with {first_name(names[people[0]])} yet."
        )
        url = f"/people/{people[0]}"
    key = f"brief:{meeting.id}"
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=meeting.id,
        due_at=meeting.start_at - lead, expires_at=meeting.start_at,
        payload=build_payload(kind=KIND.name, title=f"{title} in {minutes} min", body=body,
                              url=url, tag=tag_for(key), base_url=ctx.base_url),
    )


def briefs_still_wanted(batch: Sequence[Notification], now: datetime) -> dict[int, str]:
    """At send time: the meeting must still be on, and still with someone (reasons by row id)."""
    meetings = owned_subjects(batch, Meeting)
    reasons: dict[int, str] = {}
    for n in batch:
        meeting = meetings.get(n.id)
        if meeting is None:
            reasons[n.id] = "the meeting is gone from the calendar"
        elif not _briefable(meeting, strangers=True):
            reasons[n.id] = "the meeting is off"
    return reasons


KIND = register(Kind(
    name="brief",
    label="Before meetings: a brief on the people you will see",
    plan=plan_briefs,
    key_pattern="brief:<meeting id>",
    ttl=30 * 60,
    urgency="high",
    setting="notify_briefs",
    options=(
        Option("brief_minutes_before", 10, fields.Integer(validate=validate.Range(1, 120)),
               "Brief me … minutes before"),
        Option("brief_with_strangers", False, fields.Boolean(),
               "Also before meetings with only people I do not know", widget="check"),
    ),
    still_wanted=briefs_still_wanted,
    position=20,
))
