"""A lease is renewed while a slow push runs, so a long send never loses its row."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from server.push import batch
from server.push.delivery import LEASE, DeliveryRules, claim_due, deliver_due
from tests.push.helpers import plan, row

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
SPEED = 30  # one real second is 30 s of the injected clock: a 1 s hang outlasts the lease


def fast_clock():
    started = time.monotonic()
    return lambda: NOW + timedelta(seconds=SPEED * (time.monotonic() - started))


def test_a_send_longer_than_the_lease_keeps_its_row(app, user, push_service, push_ctx,
                                                    add_device, monkeypatch):
    add_device(user.id)
    push_service.hang()  # answered only after the read timeout: 1 s real, 30 s on the clock
    # Renew every 0.1 s of real time (3 s on the clock), well inside the 20 s lease.
    monkeypatch.setattr(batch, "RENEW_EVERY_SECONDS", 0.1)
    clock = fast_clock()
    with app.app_context():
        plan(user.id, "slow", NOW)
        counts = deliver_due(push_ctx, NOW, "w1", rules=DeliveryRules(), clock=clock)
        assert counts == {"pending": 1}  # recorded by its holder, not "lost"
        n = row("slow")
        assert n.attempts == 1 and "retry" in n.outcome and n.lease_owner is None
        assert clock() - NOW > LEASE  # the send outlasted one lease on this clock
        assert claim_due(n.due_at, "w2") == [n.id]  # and the row is free again afterwards
