"""A batch of claimed rows: send-time rules, concurrent pushes, one transaction of outcomes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, insert, select

from ..extensions import db
from ..models.push import Notification, NotificationDelivery, PushSubscription
from .devices import Device, DeviceResult, backoffs, devices_of, record_device_results
from .dispatch import Dispatched, Job, Sending, backoff_for
from .lease import RENEW_EVERY, finish_many, outcome_values, renew
from .outgoing import Clock, DeliveryRules, PushContext, send_to_device
from .payload import encode_payload
from .sender import PushResult
from .verdicts import judged, verdict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # with backoff 1, 2, 4 … 64 minutes: about two hours of trying
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
RENEW_EVERY_SECONDS = RENEW_EVERY.total_seconds()  # real seconds between renewals during sends

NO_DEVICE = "no device is registered for push"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


# --- a batch of claimed rows ----------------------------------------------------------------


@dataclass
class _Outgoing:
    """A row on its way out: what was already delivered, what this attempt found."""

    id: int
    key: str
    kind: str
    attempts: int
    sent: int  # devices that have it (from earlier attempts, then this one)
    accepted: int = 0  # devices that took it in this attempt (their rows name them)
    waiting: list[datetime] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _settled(row: _Outgoing, at: datetime) -> dict[str, Any]:
    """After trying every device: sent, failed, or pending again with backoff."""
    took = f"sent to {row.accepted} device{'s' if row.accepted > 1 else ''}" if row.accepted else ""
    summary = "; ".join(filter(None, [took, *row.notes]))  # alike for most rows: one UPDATE
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


@dataclass
class Batch:
    """Claimed rows on their way out: the rules have settled some; the rest wait for `start`,
    then `wait` (their sends) and `finish` (their outcomes)."""

    owner: str
    clock: Clock
    rules: DeliveryRules
    states: dict[int, str]  # each row's new state ("lost" until known)
    jobs: list[Job]
    outgoing: dict[int, _Outgoing]
    unreached: dict[int, dict[str, Any]]  # no device took it: another channel may
    sending: Sending | None = None

    def start(self, closed: dict[str, datetime]) -> Batch:
        """Start the sends; `closed` (origins closed by 429s, shared by the pass) is refreshed
        from the database first. Leases are renewed first too, as the batch may have waited
        for the one before it: a row no longer ours is not sent."""
        for host, until in backoffs(self.clock()).items():
            closed[host] = max(closed.get(host, until), until)
        lost = _renew_or_lost(list(self.outgoing), self.owner, self.clock) if self.outgoing else set()
        jobs = [job for job in self.jobs if job.group not in lost]
        self.sending = Sending(jobs, closed, self.clock)
        return self

    def wait(self, also_held: list[int]) -> Dispatched:
        """Wait for the sends, renewing the leases of these rows and of `also_held` (the next
        batch's, waiting on this one)."""
        assert self.sending is not None, "start the batch first"
        held = [*self.outgoing, *also_held]
        return self.sending.wait(partial(_renew_or_lost, held, self.owner, self.clock),
                                 RENEW_EVERY_SECONDS)

    def finish(self, result: Dispatched) -> dict[int, str]:
        """Record the outcomes; returns each row's new state. A send that raised (not a push
        service's answer: a bug, or the process going down) leaves its row unsettled under our
        lease, to be retried once the lease runs out; it is re-raised after the rest is recorded.
        """
        error = _record(result, self.outgoing, self.owner, self.clock, self.states,
                        self.unreached) if self.outgoing else None
        _fall_back(self.unreached, self.owner, self.clock, self.rules, self.states)
        if error is not None:
            raise error
        return self.states


def prepare_batch(
    ctx: PushContext, ids: list[int], owner: str, clock: Clock, rules: DeliveryRules
) -> Batch:
    """Apply the send-time rules to claimed rows (settling what must not go out, committed) and
    plan a push to every device still missing each of the others."""
    states = dict.fromkeys(ids, "lost")
    now = clock()
    held = _held_rows(ids, owner, now)
    settled: dict[int, dict[str, Any]] = {}
    going: list[tuple[Notification, _Outgoing]] = []
    for rows, (reasons, quiet) in judged(held, now, rules, states):
        for n in rows:
            settles = verdict(n, now, reasons.get(n.id), quiet.get(n.id))
            if settles is not None:
                settled[n.id] = settles
            else:
                going.append((n, _Outgoing(n.id, n.key, n.kind, n.attempts or 0, 0)))
    unreached: dict[int, dict[str, Any]] = {}
    jobs, outgoing = _plan_sends(ctx, going, unreached, now)
    finish_many(settled, owner, now)
    db.session.commit()  # nothing is held open while we wait on push services
    states.update({nid: values["state"] for nid, values in settled.items()})
    return Batch(owner, clock, rules, states, jobs, outgoing, unreached)


def deliver_batch(
    ctx: PushContext, ids: list[int], owner: str, clock: Clock, rules: DeliveryRules
) -> dict[int, str]:
    """Deliver claimed rows to every device still missing them; returns each row's new state."""
    batch = prepare_batch(ctx, ids, owner, clock, rules).start({})
    return batch.finish(batch.wait([]))


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
        health.append(DeviceResult(d.job.ref, d.job.origin, res, d.at))
        if res.outcome == "sent":
            row.sent += 1
            row.accepted += 1
            continue
        if res.outcome == "rate_limited":
            row.waiting.append(d.at + backoff_for(res.retry_after))
        elif res.outcome == "retry":
            row.waiting.append(d.at)
        row.notes.append(f"device {d.job.ref}: {res.outcome} {res.status or ''}".strip())
    for job, until in result.held:
        outgoing[job.group].waiting.append(until)
    if rows:
        # Core, not the ORM's bulk insert: no per-row ORM bookkeeping on the main thread.
        db.session.execute(insert(cast(Table, NotificationDelivery.__table__)), rows)
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
