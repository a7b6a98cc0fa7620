"""One push per day listing the follow-ups, check-ins and promises due that day."""

from __future__ import annotations

from ...push.context import due_followup_lines
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ..context import PlanContext
from ..registry import Kind, register


def plan_followups(ctx: PlanContext) -> list[Planned]:
    """Today's and tomorrow's follow-up pushes, at the user's notification time."""
    planned = []
    days = ctx.planned_days()
    due = due_followup_lines(ctx.user.id, days)
    for day in days:
        key = f"followups:{ctx.user.id}:{day.isoformat()}"
        lines = due.get(day)
        if not lines:
            continue
        title = lines[0] if len(lines) == 1 else f"{len(lines)} things to follow up on today"
        body = "\n".join(lines[1:] if len(lines) == 1 else lines[:6])
        planned.append(Planned(
            key=key, user_id=ctx.user.id, kind=KIND.name,
            due_at=ctx.at(day, ctx.settings["notify_time"]), expires_at=ctx.day_end(day),
            payload=build_payload(kind=KIND.name, title=title, body=body or "Open Today",
                                  url="/", tag=tag_for(key), base_url=ctx.base_url),
        ))
    return planned


KIND = register(Kind(
    name="followup",
    label="Follow-ups, check-ins and promises due",
    plan=plan_followups,
    key_pattern="followups:<user id>:<date>",
    setting="notify_followups",
    position=40,
))
