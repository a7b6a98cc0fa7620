"""Post-meeting prompt: "what did you give, what did you get?" at the end plus a delay.

A meeting whose feed lists no attendees but whose title names one of the user's people asks
"Lunch with Raj just ended — was it Raj?"; a log saved with that person confirms the match.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ...calendars.log_rule import (
    is_loggable,
    logged_by_owner,
    logged_meeting_ids,
    named_in_title,
    wants_prompt,
)
from ...extensions import db
from ...logbook.reading import contact_names
from ...models.calendars import Meeting
from ...models.push import Notification
from ...push.outbox import Planned, cancel_pending
from ...push.payload import build_payload, tag_for
from ..context import PlanContext
from ..lines import contact_context, first_name
from ..registry import HOUR, Kind, Option, register
from ..subjects import owned_subjects

PROMPT_MAX_AGE = timedelta(hours=12)  # a post-meeting prompt older than this is dropped
MEETING_LOOKAHEAD = timedelta(days=2)


def prompt_title(meeting: Meeting, names: list[str], named: list[str]) -> str:
    """E.g. "Lunch with Tom just ended", or "… — was it Raj?" for a title-only match."""
    title = (meeting.title or "").strip()
    if title:
        text = f"{title} just ended"
    elif names:
        text = f"Your meeting with {', '.join(names[:2])} just ended"
    else:
        text = "Your meeting just ended"
    if named:
        text += f" — was it {' and '.join(first_name(n) for n in named[:2])}?"
    return text


def plan_meeting_prompts(ctx: PlanContext) -> list[Planned]:
    """A prompt at end + delay for each meeting that wants one; stale prompts cancelled."""
    delay = timedelta(minutes=int(ctx.settings["prompt_delay_minutes"]))
    meetings = [
        m for m in ctx.meetings_near(PROMPT_MAX_AGE + delay, MEETING_LOOKAHEAD)
        if m.end_at <= ctx.now + MEETING_LOOKAHEAD
    ]
    logged = logged_meeting_ids(ctx.user.id, [m.id for m in meetings])
    planned = [
        _prompt(ctx, meeting, delay)
        for meeting in meetings
        if wants_prompt(meeting, meeting.id in logged)
    ]
    _cancel_unwanted(ctx, {p.subject_id for p in planned if p.subject_id is not None})
    return planned


def _prompt(ctx: PlanContext, meeting: Meeting, delay: timedelta) -> Planned:
    others = [a for a in meeting.attendees if (a.email or "").lower() not in ctx.my_emails]
    named_ids = [] if is_loggable(meeting) else named_in_title(meeting)
    linked = [a.contact_id for a in others if a.contact_id]
    known = contact_names(ctx.user.id, set(linked) | set(named_ids))
    names = [a.name or a.email or known.get(a.contact_id or 0, "") for a in others]
    body = "What did you give, what did you get?"
    context = contact_context(ctx.user.id, linked or named_ids)
    if context:
        body = f"{body}\n{context}"
    key = f"meeting:{meeting.id}"
    due = meeting.end_at + delay
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=meeting.id, due_at=due,
        expires_at=due + PROMPT_MAX_AGE,
        payload=build_payload(
            kind=KIND.name,
            title=prompt_title(meeting, [n for n in names if n],
                               [known[c] for c in named_ids if c in known]),
            body=body, url=f"/log?meeting={meeting.id}", tag=tag_for(key),
            base_url=ctx.base_url,
        ),
    )


def _cancel_unwanted(ctx: PlanContext, wanted: set[int]) -> None:
    """Pending prompts whose meeting was cancelled, declined, logged or vanished."""
    pending = db.session.execute(
        select(Notification.id, Notification.subject_id).where(
            Notification.user_id == ctx.user.id,
            Notification.kind == KIND.name,
            Notification.state == "pending",
        )
    ).all()
    stale = [row.id for row in pending if row.subject_id not in wanted]
    cancel_pending(stale, "the meeting no longer needs a log", ctx.now)


def prompts_still_wanted(batch: Sequence[Notification], now: datetime) -> dict[int, str]:
    """At send time: why some post-meeting prompts should not go out any more, by row id."""
    # Attendees matter only to a meeting with no one else on it (does its title name someone?):
    # loaded for those alone, in one more query.
    meetings = owned_subjects(batch, Meeting, lazyload(Meeting.attendees))
    title_only = [m.id for m in meetings.values() if not m.has_others]
    if title_only:
        db.session.scalars(select(Meeting).where(Meeting.id.in_(title_only))
                           .execution_options(populate_existing=True)).all()
    logged = logged_by_owner([m.id for m in meetings.values()])
    reasons: dict[int, str] = {}
    for n in batch:
        meeting = meetings.get(n.id)
        if n.subject_id is None:  # a prompt about no particular meeting
            continue
        if meeting is None:
            reasons[n.id] = "the meeting is gone from the calendar"
        elif not wants_prompt(meeting, False):
            reasons[n.id] = "the meeting no longer needs a log"
        elif meeting.id in logged:
            reasons[n.id] = "the meeting was logged"
    return reasons


KIND = register(Kind(
    name="meeting",
    label="After meetings: what did you give, what did you get?",
    plan=plan_meeting_prompts,
    key_pattern="meeting:<meeting id>",
    ttl=6 * HOUR,
    urgency="high",
    setting="notify_meetings",
    options=(Option("prompt_delay_minutes", 5, fields.Integer(validate=validate.Range(0, 120)),
                    "Ask … minutes after a meeting ends"),),
    still_wanted=prompts_still_wanted,
    position=10,
))
