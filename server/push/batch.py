"""A batch of claimed rows: send-time rules, concurrent pushes, one transaction of outcomes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import insert, select

from ..extensions import db
from ..models.push import Notification, NotificationDelivery, PushSubscription
from .devices import Device, DeviceResult, backoffs, devices_of, record_device_results
from .dispatch import Dispatched, Job, backoff_for, dispatch
from .lease import RENEW_EVERY, finish_many, outcome_values, renew
from .outgoing import Clock, DeliveryRules, PushContext, send_to_device
from .payload import encode_payload
from .sender import PushResult

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # with backoff 1, 2, 4 … 64 minutes: about two hours of trying
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
RENEW_EVERY_SECONDS = RENEW_EVERY.total_seconds()  # real seconds between renewals during sends

NO_DEVICE = "no device is registered for push"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


Answers = tuple[dict[int, str], dict[int, datetime]]  # reasons to cancel, quiet-hours ends


def _answers(rows: list[Notification], now: datetime, rules: DeliveryRules) -> Answers:
    """The send-time rules' answers for these rows (a fixed number of queries for all)."""
    return rules.still_wanted(rows, now), rules.quiet_until(rows, now)


def _judged(
    held: list[Notification], now: datetime, rules: DeliveryRules, states: dict[int, str]
) -> list[tuple[list[Notification], Answers]]:
    """The rules' answers for the whole batch; should they fail, row by row, so one row the
    rules cannot judge (marked "error", retried once its lease runs out) holds up no other."""
    try:
        return [(held, _answers(held, now, rules))]
    except Exception:
        log.exception("send-time rules failed for notifications %s; judging them one by one",
                      [n.id for n in held])
        db.session.rollback()
    judged = []
    for n in held:
        try:
            judged.append(([n], _answers([n], now, rules)))
        except Exception:
            log.exception("send-time rules failed for notification %s", n.id)
            db.session.rollback()
            states[n.id] = "error"
    return judged


def _verdict(
    n: Notification, now: datetime, reason: str | None, quiet_end: datetime | None
) -> dict[str, Any] | None:
    """How the rules settle a row before any push, or None when it should go out now."""
    if reason:
        return outcome_values(now, state="cancelled", outcome=reason)
    if n.expires_at is not None and now >= n.expires_at:
        return outcome_values(now, state="skipped",
                              outcome="too old to be useful by the time it was due")
    if quiet_end is None:
        return None
    if n.expires_at is not None and quiet_end >= n.expires_at:
        return outcome_values(now, state="skipped",
                              outcome="it would be stale when quiet hours end")
    return outcome_values(now, due_at=quiet_end, outcome="waiting for quiet hours to end")


# --- a batch of claimed rows ----------------------------------------------------------------


@dataclass
class _Outgoing:
    """A row on its way out: what was already delivered, what this attempt found."""

    id: int
    key: str
    kind: str
    attempts: int
    sent: int  # devices that have it (from earlier attempts, then this one)
    waiting: list[datetime] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _settled(row: _Outgoing, at: datetime) -> dict[str, Any]:
    """After trying every device: sent, failed, or pending again with backoff."""
    summary = "; ".join(row.notes)
    attempts = row.attempts + 1
    state = "sent" if row.sent else "failed"
    if not row.waiting:
        return outcome_values(at, state=state, attempts=attempts,
                              outcome=summary or "already delivered to every device")
    if attempts >= MAX_ATTEMPTS:
        return outcome_values(at, state=state, attempts=attempts,
                              outcome=f"gave up after {attempts} attempts; {summary}")
    due = max(at + retry_delay(attempts), max(row.waiting))
    return outcome_values(at, attempts=attempts, due_at=due, outcome=f"retrying; {summary}")


def _held_rows(ids: list[int], owner: str, now: datetime) -> list[Notification]:
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.id.in_(ids))
        .order_by(Notification.id)
        .execution_options(populate_existing=True)
    ).all()
    return [
        n for n in rows
        if n.lease_owner == owner and n.state == "pending"
        and n.lease_until is not None and n.lease_until > now
    ]


def deliver_batch(
    ctx: PushContext, ids: list[int], owner: str, clock: Clock, rules: DeliveryRules
) -> dict[int, str]:
    """Deliver claimed rows to every device still missing them; returns each row's new state.

    A send that raises (not a push service's answer: a bug, or the process going down) leaves
    its row unsettled under our lease, to be retried once the lease runs out; it is re-raised
    after everything else in the batch is recorded.
    """
    states = dict.fromkeys(ids, "lost")
    now = clock()
    held = _held_rows(ids, owner, now)
    settled: dict[int, dict[str, Any]] = {}
    going: list[tuple[Notification, _Outgoing]] = []
    for rows, (reasons, quiet) in _judged(held, now, rules, states):
        for n in rows:
            verdict = _verdict(n, now, reasons.get(n.id), quiet.get(n.id))
            if verdict is not None:
                settled[n.id] = verdict
            else:
                going.append((n, _Outgoing(n.id, n.key, n.kind, n.attempts or 0, 0)))
    unreached: dict[int, dict[str, Any]] = {}  # no device took it: another channel may
    jobs, outgoing = _plan_sends(ctx, going, unreached, now)
    finish_many(settled, owner, now)
    db.session.commit()  # nothing is held open while we wait on push services
    states.update({nid: values["state"] for nid, values in settled.items()})
    error: BaseException | None = None
    if outgoing:
        result = dispatch(
            jobs, closed=backoffs(now), clock=clock,
            renew=partial(_renew_or_lost, list(outgoing), owner, clock),
            renew_every=RENEW_EVERY_SECONDS,
        )
        error = _record(result, outgoing, owner, clock, states, unreached)
    _fall_back(unreached, owner, clock, rules, states)
    if error is not None:
        raise error
    return states


def _fall_back(
    unreached: dict[int, dict[str, Any]], owner: str, clock: Clock, rules: DeliveryRules,
    states: dict[int, str],
) -> None:
    """Rows no device took go by the user's other channels, else end as they would have."""
    for nid, default in unreached.items():
        at = clock()
        held = _held_rows([nid], owner, at)
        if not held:
            continue
        moved = rules.elsewhere(held[0], at)
        values = default
        if moved is not None:
            tried = "" if default.get("outcome") == NO_DEVICE else default.get("outcome", "")
            values = {**default, "state": moved[0], "outcome": "; ".join(filter(None, [tried, moved[1]]))}
        finish_many({nid: values}, owner, at)
        db.session.commit()
        states[nid] = values["state"]


def _plan_sends(
    ctx: PushContext,
    going: list[tuple[Notification, _Outgoing]],
    unreached: dict[int, dict[str, Any]],
    now: datetime,
) -> tuple[list[Job], dict[int, _Outgoing]]:
    """One job per (row, device without it); rows with no device at all go to `unreached`."""
    devices = devices_of(n.user_id for n, _ in going)
    ids = [n.id for n, _ in going]
    done: dict[int, dict[int, str]] = {}
    if ids:
        for nid, sid, state in db.session.execute(
            select(NotificationDelivery.notification_id, NotificationDelivery.subscription_id,
                   NotificationDelivery.state).where(NotificationDelivery.notification_id.in_(ids))
        ):
            done.setdefault(nid, {})[sid] = state
    jobs: list[Job] = []
    outgoing: dict[int, _Outgoing] = {}
    for n, row in going:
        had = done.get(n.id, {})
        missing = [d for d in devices.get(n.user_id, []) if d.id not in had]
        if not missing and not had:
            unreached[n.id] = outcome_values(now, state="skipped", outcome=NO_DEVICE)
            continue
        row.sent = sum(1 for state in had.values() if state == "sent")
        outgoing[n.id] = row
        data = encode_payload(n.payload)
        jobs.extend(
            Job(group=n.id, ref=d.id, origin=d.host, send=partial(_push, ctx, d, row, data))
            for d in missing
        )
    return jobs, outgoing


def _push(ctx: PushContext, device: Device, row: _Outgoing, data: bytes) -> PushResult:
    return send_to_device(ctx, device.info(), row.key, row.kind, data)


def _renew_or_lost(ids: list[int], owner: str, clock: Clock) -> set[int]:
    """Renew the batch's leases while sends run; the ids we no longer hold."""
    still = renew(ids, owner, clock())
    db.session.commit()
    lost = set(ids) - still
    if lost:
        log.warning("leases on notifications %s were lost during their pushes", sorted(lost))
    return lost


def _record(
    result: Dispatched, outgoing: dict[int, _Outgoing], owner: str, clock: Clock,
    states: dict[int, str], unreached: dict[int, dict[str, Any]],
) -> BaseException | None:
    """Write device rows, device health and outcomes in one transaction, where we hold the lease.

    Rows that every device refused (or whose devices are gone) go to `unreached` unsettled;
    returns the first error a send raised, for the caller to re-raise.
    """
    at = clock()
    still = renew(outgoing, owner, at)
    broken = {d.job.group for d in result.done if d.error is not None}
    answered = [d for d in result.done if d.result is not None and d.job.group in still]
    present = set(db.session.scalars(
        select(PushSubscription.id).where(PushSubscription.id.in_({d.job.ref for d in answered}))
    )) if answered else set()
    rows: list[dict[str, Any]] = []
    health: list[DeviceResult] = []
    for d in answered:
        if d.job.ref not in present:  # the user removed the device meanwhile
            continue
        res, row = cast(PushResult, d.result), outgoing[d.job.group]
        if res.outcome in ("sent", "rejected"):
            rows.append({"notification_id": row.id, "subscription_id": d.job.ref,
                         "state": res.outcome, "status": res.status, "created_at": d.at})
        if res.outcome == "sent":
            row.sent += 1
        elif res.outcome == "rate_limited":
            row.waiting.append(d.at + backoff_for(res.retry_after))
        elif res.outcome == "retry":
            row.waiting.append(d.at)
        row.notes.append(f"device {d.job.ref}: {res.outcome} {res.status or ''}".strip())
        health.append(DeviceResult(d.job.ref, d.job.origin, res, d.at))
    for job, until in result.held:
        outgoing[job.group].waiting.append(until)
    if rows:
        db.session.execute(insert(NotificationDelivery), rows)
    record_device_results(health)
    final = {nid: _settled(row, at) for nid, row in outgoing.items()
             if nid in still and nid not in broken}
    for nid, row in outgoing.items():
        if nid in final and not row.waiting and not row.sent:
            unreached[nid] = final.pop(nid)
    finish_many(final, owner, at)
    db.session.commit()
    states.update({nid: values["state"] for nid, values in final.items()})
    states.update(dict.fromkeys(broken & still, "error"))
    errors = [d.error for d in result.done if d.error is not None]
    return errors[0] if errors else None
