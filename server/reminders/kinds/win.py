"""Wins: a nudge to congratulate within a day of a win being recorded (unless a congrats was
logged meanwhile), and a one-year anniversary nudge for the big ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import and_, extract, or_, select

from ...extensions import db
from ...logbook.clock import local_date
from ...models import Contact
from ...models.interactions import Win
from ...models.push import Notification
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ..context import PlanContext
from ..lines import first_name
from ..registry import HOUR, Kind, register
from ..subjects import owned_subjects

FRESH = timedelta(days=2)  # wins recorded longer ago than this get no congratulation nudge


def congrats_due(ctx: PlanContext, created_at: datetime) -> datetime:
    """The first daily-reminder time after the win was recorded: within a day."""
    day = local_date(ctx.user, created_at)
    due = ctx.at(day, ctx.settings["notify_time"])
    return due if due >= created_at else ctx.at(day + timedelta(days=1),
                                                ctx.settings["notify_time"])


def _anniversary_targets(ctx: PlanContext) -> dict[tuple[int, int], date]:
    """(month, day) a year before each planned day → that planned day."""
    return {(day.month, day.day): day for day in ctx.planned_days()}


def plan_wins(ctx: PlanContext) -> list[Planned]:
    """Congratulation nudges for fresh open wins, anniversaries for big ones."""
    rows = db.session.execute(
        select(Win, Contact.name)
        .join(Contact, and_(Contact.id == Win.contact_id, Contact.user_id == ctx.user.id))
        .where(
            Win.user_id == ctx.user.id,
            or_(
                and_(Win.congratulated_at.is_(None), Win.created_at >= ctx.now - FRESH),
                and_(Win.big.is_(True),
                     or_(*[and_(extract("month", Win.happened_on) == m,
                                extract("day", Win.happened_on) == d)
                           for m, d in _anniversary_targets(ctx)])),
            ),
        )
        .order_by(Win.id)
    ).all()
    planned = []
    targets = _anniversary_targets(ctx)
    for win, name in rows:
        if win.congratulated_at is None and win.created_at >= ctx.now - FRESH:
            planned.append(_congrats(ctx, win, name))
        day = targets.get((win.happened_on.month, win.happened_on.day))
        if win.big and day is not None and day.year > win.happened_on.year:
            planned.append(_anniversary(ctx, win, name, day))
    return planned


def _congrats(ctx: PlanContext, win: Win, name: str) -> Planned:
    key = f"win:{win.id}"
    due = congrats_due(ctx, win.created_at)
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=win.id, due_at=due,
        expires_at=due + timedelta(days=1),
        payload=build_payload(
            kind=KIND.name, title=f"Congratulate {first_name(name)}: {win.text}"[:120],
            body="A short note today means more than a long one next month.",
            url=f"/people/{win.contact_id}", tag=tag_for(key), base_url=ctx.base_url,
        ),
    )


def _anniversary(ctx: PlanContext, win: Win, name: str, day: date) -> Planned:
    years = day.year - win.happened_on.year
    key = f"win-anniversary:{win.id}:{day.year}"
    when = "A year" if years == 1 else f"{years} years"
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=win.id,
        due_at=ctx.at(day, ctx.settings["notify_time"]), expires_at=ctx.day_end(day),
        payload=build_payload(
            kind=KIND.name, title=f"{when} since {first_name(name)}'s win: {win.text}"[:120],
            body=f"Ask {first_name(name)} how it has gone since.",
            url=f"/people/{win.contact_id}", tag=tag_for(key), base_url=ctx.base_url,
        ),
    )


def wins_still_wanted(batch: Sequence[Notification], now: datetime) -> dict[int, str]:
    """At send time: the win still exists and, for a congrats nudge, is still open (by row id)."""
    wins = owned_subjects(batch, Win)
    reasons: dict[int, str] = {}
    for n in batch:
        win = wins.get(n.id)
        if win is None:
            reasons[n.id] = "the win is gone"
        elif n.key.startswith("win:") and win.congratulated_at is not None:
            reasons[n.id] = "already congratulated"
    return reasons


KIND = register(Kind(
    name="win",
    label="Wins: congratulate within a day, and a year on for big ones",
    plan=plan_wins,
    key_pattern="win:<win id> and win-anniversary:<win id>:<year>",
    ttl=12 * HOUR,
    setting="notify_wins",
    still_wanted=wins_still_wanted,
    position=50,
))
