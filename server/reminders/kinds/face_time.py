"""Face time: a contact's own in-person cadence (lunch every 90 days) beside their
keep-in-touch one (any touch every 30 days); the nudge says which one is due.

Each lapse is nudged once (the key carries the day it fell due), at most a few people a
day, the longest lapsed first; meeting them (or any touch) starts a new lapse.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select

from ...extensions import db
from ...logbook.clock import local_date
from ...models import Contact
from ...models.push import Notification
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ..context import WITHOUT_ADDRESSES, PlanContext
from ..lines import first_name
from ..registry import HOUR, Kind, register

PER_DAY = 3


def every_words(days: int) -> str:
    """"every 3 months", "every 2 weeks", "every 10 days"."""
    if days % 30 == 0 or days >= 60:
        months = round(days / 30)
        return "every month" if months == 1 else f"every {months} months"
    if days % 7 == 0:
        weeks = days // 7
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {days} days"


def lapse(ctx: PlanContext, contact: Contact) -> tuple[str, date, int] | None:
    """Which cadence is due ("face" before "touch"), the day it fell due, and its days."""
    started = contact.created_at
    if contact.face_time_days:
        seen = contact.last_in_person_at or started
        due = local_date(ctx.user, seen) + timedelta(days=contact.face_time_days)
        if due <= ctx.today:
            return "face", due, contact.face_time_days
    if contact.cadence_days:
        seen = contact.last_interaction_at or started
        due = local_date(ctx.user, seen) + timedelta(days=contact.cadence_days)
        if due <= ctx.today:
            return "touch", due, contact.cadence_days
    return None


def plan_face_time(ctx: PlanContext) -> list[Planned]:
    """Today's nudges for people whose in-person or keep-in-touch cadence just lapsed."""
    contacts = db.session.scalars(
        select(Contact)
        .where(
            Contact.user_id == ctx.user.id,
            or_(Contact.face_time_days.is_not(None), Contact.cadence_days.is_not(None)),
        )
        .options(*WITHOUT_ADDRESSES)
    )
    lapses = []
    for contact in contacts:
        found = lapse(ctx, contact)
        if found is not None:
            lapses.append((contact, *found))
    lapses.sort(key=lambda x: (x[1] != "face", x[2], x[0].id))
    keys = [nudge_key(c.id, which, due) for c, which, due, _ in lapses]
    earlier = {  # nudged on an earlier day: never again for this lapse
        row.key for row in db.session.execute(
            select(Notification.key, Notification.created_at).where(Notification.key.in_(keys))
        ) if local_date(ctx.user, row.created_at) < ctx.today
    } if keys else set()
    fresh = [item for item, key in zip(lapses, keys, strict=True) if key not in earlier]
    return [_nudge(ctx, *item) for item in fresh[:PER_DAY]]


def nudge_key(contact_id: int, which: str, due: date) -> str:
    """One key per lapse: the contact, which cadence, the day it fell due."""
    return f"face_time:{contact_id}:{which}:{due.isoformat()}"


def _nudge(ctx: PlanContext, contact: Contact, which: str, due: date, days: int) -> Planned:
    key = nudge_key(contact.id, which, due)
    who = first_name(contact.name)
    if which == "face":
        title = f"Time to see {who} in person"
        body = f"You meet {every_words(days)}; a call does not count for this one."
    else:
        title = f"Time to get in touch with {who}"
        body = f"You keep in touch {every_words(days)}."
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=contact.id,
        due_at=ctx.at(ctx.today, ctx.settings["notify_time"]),
        expires_at=ctx.day_end(ctx.today),
        payload=build_payload(kind=KIND.name, title=title, body=body,
                              url=f"/people/{contact.id}", tag=tag_for(key),
                              base_url=ctx.base_url),
    )


KIND = register(Kind(
    name="face_time",
    label="When it is time to see someone (in person, or at all)",
    plan=plan_face_time,
    key_pattern="face_time:<contact id>:<face|touch>:<day it fell due>",
    ttl=12 * HOUR,
    setting="notify_face_time",
    position=45,
))
