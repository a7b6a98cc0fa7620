"""The weekly digest: who to give to this week and why, each line opening that person.

The list and its reasons are the week page's (`logbook/give_to.py`); the push opens `/week`,
and each line carries its reason and its own URL.
"""

from __future__ import annotations

from datetime import timedelta

from marshmallow import fields, validate
from sqlalchemy import select

from ...extensions import db
from ...logbook.give_to import people_to_give_to
from ...models.push import Notification
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ...settings import HHMM
from ..context import PlanContext
from ..registry import HOUR, Kind, Option, register

LIMIT = 3
COUNT_WORDS = {1: "One person", 2: "Two people", 3: "Three people"}


def plan_digest(ctx: PlanContext) -> list[Planned]:
    """The weekly push on the chosen weekday and time; the list is chosen once."""
    today = ctx.today
    day = today + timedelta(days=(int(ctx.settings["digest_weekday"]) - today.weekday()) % 7)
    if day not in ctx.planned_days():
        return []
    iso = day.isocalendar()
    key = f"digest:{ctx.user.id}:{iso.year}-W{iso.week:02d}"
    if db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return []
    people = people_to_give_to(ctx.user, ctx.now, LIMIT, first=day)
    if not people:
        return []
    lines = [
        {"contact_id": p.contact["id"], "name": p.contact["name"], "reason": p.note,
         "url": f"/people/{p.contact['id']}"}
        for p in people
    ]
    title = f"{COUNT_WORDS[len(people)]} to give to this week"
    return [Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name,
        due_at=ctx.at(day, ctx.settings.get("digest_time") or ctx.settings["notify_time"]),
        expires_at=ctx.day_end(day + timedelta(days=1)),
        payload=build_payload(
            kind=KIND.name, title=title,
            body=", ".join(f"{line['name']} ({line['reason']})" for line in lines),
            url="/week", tag=tag_for(key), base_url=ctx.base_url, lines=lines,
        ),
    )]


KIND = register(Kind(
    name="digest",
    label="Weekly digest: who to give to this week, and why",
    plan=plan_digest,
    key_pattern="digest:<user id>:<ISO week>",
    ttl=24 * HOUR,
    urgency="low",
    setting="digest_enabled",
    options=(
        Option("digest_weekday", 0, fields.Integer(validate=validate.Range(0, 6)), "Digest day",
               widget="weekday"),
        Option("digest_time", "09:00",
               fields.String(validate=validate.Regexp(HHMM, error="Use HH:MM.")), "at",
               widget="time"),
    ),
    position=60,
))
