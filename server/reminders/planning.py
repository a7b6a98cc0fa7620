"""The planning pass: plan the users whose mark moved or whose local day turned, each once.

Workers split the users between them: each claims a batch of marks under a short lease
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), plans them and records
the mark version it planned. A write made while a user is being planned bumps the mark past
that version, so the user is planned again on the next pass; nothing is lost, and a user whose
nothing changed costs nothing until their next local midnight.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, literal, or_, select, text, update

from ..channels import ChannelContext, deliver_elsewhere
from ..extensions import db
from ..logbook.clock import quiet_hours_end, user_zone
from ..models import User
from ..models.planning import ReplanMark
from ..models.push import Notification
from ..push.delivery import DeliveryRules
from ..push.outbox import Planned, save_planned
from ..settings import get_settings
from .context import PlanContext
from .registry import all_kinds, kind_for, turned_off

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 100


def plan_for_user(user_id: int, now: datetime, base_url: str) -> int:
    """Plan every kind that is switched on for one user now (e.g. right after a calendar sync);
    returns rows inserted, committed. The user's mark records it in the same commit, so the next
    pass does not plan them again unless something changed meanwhile or a pass holds them."""
    version = db.session.scalar(select(ReplanMark.version).where(ReplanMark.user_id == user_id))
    inserted, replan_at = _plan_user(user_id, now, base_url)
    if version is not None:
        db.session.execute(
            update(ReplanMark)
            .where(ReplanMark.user_id == user_id, ReplanMark.version == version,
                   ReplanMark.lease_owner.is_(None))
            .values(planned_version=version, replan_at=replan_at)
        )
    db.session.commit()  # the plans and the mark together
    return inserted


def _plan_user(user_id: int, now: datetime, base_url: str) -> tuple[int, datetime | None]:
    """(rows inserted, when the user's local day turns) for one user."""
    user = db.session.get(User, user_id)
    if user is None:
        return 0, None
    ctx = PlanContext.for_user(user, now, base_url)
    items: list[Planned] = []
    for kind in all_kinds():
        if kind.plan is not None and not turned_off(kind, ctx.settings):
            items.extend(kind.plan(ctx))
    turns = ctx.day_end_today()  # read before saving: the commit expires the user
    return save_planned(items, now), turns


def claim_users(
    now: datetime, owner: str, skip: set[int], limit: int = BATCH
) -> list[tuple[int, int]]:
    """Lease up to `limit` users due for planning; returns (user id, mark version) pairs."""
    db.session.commit()
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        db.session.execute(text("BEGIN IMMEDIATE"))
    mark = ReplanMark
    stmt = (
        select(mark.user_id, mark.version)
        .where(
            or_(mark.version > mark.planned_version, mark.replan_at.is_(None),
                mark.replan_at <= now),
            or_(mark.lease_until.is_(None), mark.lease_until < now),
            mark.user_id.not_in(skip),
        )
        .order_by(mark.user_id)
        .limit(limit)
    )
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = [(row.user_id, row.version) for row in db.session.execute(stmt)]
    if rows:
        db.session.execute(
            update(mark)
            .where(mark.user_id.in_([uid for uid, _ in rows]))
            .values(lease_owner=owner, lease_until=now + LEASE)
        )
    db.session.commit()
    return rows


def _planned(user_id: int, version: int, owner: str, replan_at: datetime | None) -> None:
    """Record the version planned and when the user's day turns, releasing the lease, and
    commit it with the user's plans."""
    db.session.execute(
        update(ReplanMark)
        .where(ReplanMark.user_id == user_id, ReplanMark.lease_owner == owner)
        .values(planned_version=version, replan_at=replan_at, lease_owner=None,
                lease_until=None)
    )
    db.session.commit()


def adopt_unmarked() -> None:
    """Give a mark to users written without the ORM (bulk loads, SQL), so none is missed."""
    missing = select(User.id, literal(1), literal(0)).where(
        ~exists().where(ReplanMark.user_id == User.id)
    )
    db.session.execute(
        insert(ReplanMark).from_select(["user_id", "version", "planned_version"], missing)
    )
    db.session.commit()


def plan_all(now: datetime, base_url: str, owner: str = "planner") -> dict[str, int]:
    """Plan the users that need it; returns rows inserted and users planned."""
    adopt_unmarked()
    figures = {"planned": 0, "users_planned": 0}
    done: set[int] = set()  # a user is planned once per pass, even if marked meanwhile
    while True:
        claimed = claim_users(now, owner, done)
        if not claimed:
            return figures
        for user_id, version in claimed:
            done.add(user_id)
            try:
                inserted, replan_at = _plan_user(user_id, now, base_url)
                figures["planned"] += inserted
                _planned(user_id, version, owner, replan_at)
                figures["users_planned"] += 1
            except Exception:
                log.exception("planning for user %s failed", user_id)
                db.session.rollback()  # the lease runs out and a later pass tries again


def _users_of(batch: Sequence[Notification]) -> dict[int, User]:
    """The users of a batch of rows, in one query."""
    ids = {n.user_id for n in batch}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def send_time_reasons(batch: Sequence[Notification], now: datetime) -> dict[int, str]:
    """At send time: why rows of a batch must not go out any more, by row id.

    Each kind answers for all its rows at once, so a batch costs a fixed number of queries.
    """
    users = _users_of(batch)
    reasons: dict[int, str] = {}
    by_kind: dict[str, list[Notification]] = {}
    for n in batch:
        user = users.get(n.user_id)
        if user is None:
            reasons[n.id] = "the account is gone"
        elif turned_off(kind_for(n.kind), get_settings(user)):
            reasons[n.id] = "turned off in settings"
        else:
            by_kind.setdefault(n.kind, []).append(n)
    for name, rows in by_kind.items():
        check = kind_for(name).still_wanted
        if check is not None:
            reasons.update(check(rows, now))
    return reasons


def quiet_ends(batch: Sequence[Notification], now: datetime) -> dict[int, datetime]:
    """For rows whose user is inside quiet hours at `now`: when those hours end, by row id."""
    ends: dict[int, datetime | None] = {}
    for user in _users_of(batch).values():
        settings = get_settings(user)
        ends[user.id] = quiet_hours_end(
            now, user_zone(user), settings["quiet_hours_start"], settings["quiet_hours_end"]
        )
    return {n.id: end for n in batch if (end := ends.get(n.user_id)) is not None}


def delivery_rules(channels: ChannelContext | None = None) -> DeliveryRules:
    """The rules delivery applies at send time (with the other channels when given)."""
    if channels is None:
        return DeliveryRules(still_wanted=send_time_reasons, quiet_until=quiet_ends)
    return DeliveryRules(
        still_wanted=send_time_reasons, quiet_until=quiet_ends,
        elsewhere=lambda n, now: deliver_elsewhere(channels, n, now),
    )
