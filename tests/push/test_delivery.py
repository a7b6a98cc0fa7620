"""Delivery from the outbox to real (test) push services: outcomes, retries, leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from server.extensions import db
from server.models.push import PushServiceBackoff, PushSubscription
from server.push.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    DeliveryRules,
    claim_due,
    deliver_due,
    finish,
)
from server.push.payload import topic_for
from tests.push.helpers import deliveries, fixed, plan, row
from tests.push_service import PushService

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _deliver(ctx, now=NOW, owner="w1", rules=None):
    return deliver_due(ctx, now, owner, rules=rules or DeliveryRules(), clock=fixed(now))


def test_due_row_reaches_every_device_once(app, user, push_service, push_ctx, add_device):
    phone, _ = add_device(user.id, "Phone")
    laptop, _ = add_device(user.id, "Laptop")
    with app.app_context():
        plan(user.id, "birthday:1:2026-05-04:0", NOW - timedelta(minutes=1))
        assert _deliver(push_ctx) == {"sent": 1}
        assert _deliver(push_ctx, NOW + timedelta(hours=1)) == {}
        n = row("birthday:1:2026-05-04:0")
        assert (n.state, n.attempts, n.lease_owner, n.sent_at) == ("sent", 1, None, NOW)
        assert len(deliveries(n.key)) == 2
    for sub in (phone, laptop):
        [payload] = push_service.received_for(sub["endpoint"])
        assert payload["title"] == "About birthday:1:2026-05-04:0"
    assert {m.topic for m in push_service.accepted()} == {topic_for("birthday:1:2026-05-04:0")}


def test_rows_not_yet_due_wait(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    with app.app_context():
        plan(user.id, "later", NOW + timedelta(minutes=5), now=NOW)
        assert _deliver(push_ctx) == {}
        assert row("later").state == "pending"
        assert _deliver(push_ctx, NOW + timedelta(minutes=5)) == {"sent": 1}
    assert len(push_service.received) == 1


def test_replanning_never_duplicates(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    with app.app_context():
        assert plan(user.id, "k", NOW) == 1
        assert plan(user.id, "k", NOW) == 0
        _deliver(push_ctx)
        assert plan(user.id, "k", NOW) == 0
        _deliver(push_ctx)
    assert len(push_service.received) == 1


def test_gone_device_is_deleted_and_others_still_get_it(app, user, push_service, push_ctx,
                                                         add_device):
    ok, _ = add_device(user.id, "ok")
    dead, dead_id = add_device(user.id, "dead")
    push_service.reply(404, endpoint=dead["endpoint"])
    with app.app_context():
        plan(user.id, "k", NOW)
        assert _deliver(push_ctx) == {"sent": 1}
        assert db.session.get(PushSubscription, dead_id) is None
    assert len(push_service.received_for(ok["endpoint"])) == 1


def test_server_error_retries_with_backoff_and_skips_devices_already_served(
    app, user, push_service, push_ctx, add_device
):
    ok, _ = add_device(user.id, "ok")
    flaky, flaky_id = add_device(user.id, "flaky")
    push_service.reply(500, endpoint=flaky["endpoint"])
    with app.app_context():
        plan(user.id, "k", NOW)
        assert _deliver(push_ctx) == {"pending": 1}
        n = row("k")
        assert n.attempts == 1 and n.due_at == NOW + timedelta(minutes=1)
        assert n.lease_owner is None
        assert db.session.get(PushSubscription, flaky_id).failure_count == 1
        assert _deliver(push_ctx, NOW + timedelta(seconds=30)) == {}
        assert _deliver(push_ctx, NOW + timedelta(minutes=1)) == {"sent": 1}
        assert db.session.get(PushSubscription, flaky_id).failure_count == 0
    assert len(push_service.received_for(ok["endpoint"])) == 1
    assert len(push_service.received_for(flaky["endpoint"])) == 1


def test_too_large_is_not_retried(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    push_service.reply(413)
    with app.app_context():
        plan(user.id, "k", NOW)
        assert _deliver(push_ctx) == {"failed": 1}
        assert "rejected 413" in row("k").outcome
        assert _deliver(push_ctx, NOW + timedelta(hours=3)) == {}
    assert len(push_service.messages) == 1


def test_rate_limit_holds_back_that_push_service_only(app, user, push_service, push_ctx,
                                                      add_device):
    limited, _ = add_device(user.id, "limited")
    with PushService() as other_service, app.app_context():
        other = other_service.new_subscription("other")
        db.session.add(PushSubscription(user_id=user.id, endpoint=other["endpoint"],
                                        p256dh=other["keys"]["p256dh"],
                                        auth=other["keys"]["auth"]))
        db.session.commit()
        push_service.reply(429, retry_after=600)
        plan(user.id, "a", NOW)
        plan(user.id, "b", NOW)
        assert _deliver(push_ctx) == {"pending": 2}
        assert len(other_service.received) == 2
        host = push_service.url.split("//")[1]
        backoff = db.session.get(PushServiceBackoff, host)
        assert backoff.until == NOW + timedelta(seconds=600)
        # Only one request hit the limited service: the second row waited without trying.
        assert len(push_service.messages) == 1
        assert row("a").due_at == NOW + timedelta(seconds=600)
        assert _deliver(push_ctx, NOW + timedelta(seconds=300)) == {}
        assert _deliver(push_ctx, NOW + timedelta(seconds=600)) == {"sent": 2}
        assert len(push_service.received_for(limited["endpoint"])) == 2
        assert len(other_service.received) == 2


def test_hanging_service_times_out_and_retries(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    push_service.hang()
    with app.app_context():
        plan(user.id, "k", NOW)
        assert _deliver(push_ctx) == {"pending": 1}
        assert "retry" in row("k").outcome
        assert _deliver(push_ctx, NOW + timedelta(minutes=1)) == {"sent": 1}
    assert len(push_service.received) == 1


def test_attempts_are_bounded(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    push_service.reply(503, times=MAX_ATTEMPTS)
    with app.app_context():
        plan(user.id, "k", NOW, expires=NOW + timedelta(days=30))
        at = NOW
        states = []
        for _ in range(MAX_ATTEMPTS):
            states.append(_deliver(push_ctx, at))
            at = row("k").due_at
        assert states[-1] == {"failed": 1}
        assert row("k").attempts == MAX_ATTEMPTS
        assert _deliver(push_ctx, at + timedelta(days=1)) == {}
    assert push_service.received == []


def test_no_device_means_skipped_not_silently_sent(app, user, push_ctx):
    with app.app_context():
        plan(user.id, "k", NOW)
        assert _deliver(push_ctx) == {"skipped": 1}
        assert "no device" in row("k").outcome


def test_expired_rows_are_skipped(app, user, push_service, push_ctx, add_device):
    add_device(user.id)
    with app.app_context():
        plan(user.id, "k", NOW - timedelta(days=2), expires=NOW - timedelta(days=1))
        assert _deliver(push_ctx) == {"skipped": 1}
    assert push_service.received == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_its_lease(
    app, user, push_service, push_ctx, add_device
):
    add_device(user.id)
    with app.app_context():
        plan(user.id, "k", NOW)
        assert claim_due(NOW, "dead-worker") != []  # …and then the worker died
        assert _deliver(push_ctx, NOW + LEASE / 2, owner="w2") == {}
        assert _deliver(push_ctx, NOW + LEASE + timedelta(seconds=1), owner="w2") == {"sent": 1}
    assert len(push_service.received) == 1


def test_a_worker_that_lost_its_lease_records_nothing(app, user):
    with app.app_context():
        plan(user.id, "k", NOW)
        [nid] = claim_due(NOW, "slow")
        later = NOW + LEASE + timedelta(seconds=1)
        assert claim_due(later, "fast") == [nid]
        assert finish(nid, "slow", later, state="failed", outcome="late") is False
        assert row("k").lease_owner == "fast" and row("k").state == "pending"


def test_quiet_hours_defer_and_stale_prompts_drop(app, user, push_service, push_ctx,
                                                  add_device):
    add_device(user.id)
    quiet_end = NOW + timedelta(hours=8)
    rules = DeliveryRules(
        quiet_until=lambda batch, now: {n.id: quiet_end for n in batch} if now < quiet_end else {})
    with app.app_context():
        plan(user.id, "fresh", NOW, kind="meeting", expires=NOW + timedelta(hours=12))
        plan(user.id, "stale", NOW, kind="meeting", expires=NOW + timedelta(hours=6))
        assert _deliver(push_ctx, rules=rules) == {"pending": 1, "skipped": 1}
        assert row("fresh").due_at == quiet_end and row("fresh").attempts == 0
        assert push_service.received == []
        assert _deliver(push_ctx, quiet_end, rules=rules) == {"sent": 1}
    assert [p["title"] for p in push_service.received] == ["About fresh"]


def test_a_row_no_longer_wanted_is_cancelled_at_send_time(app, user, push_service, push_ctx,
                                                          add_device):
    add_device(user.id)
    rules = DeliveryRules(still_wanted=lambda batch, now: {n.id: "logged already" for n in batch})
    with app.app_context():
        plan(user.id, "k", NOW, kind="meeting")
        assert _deliver(push_ctx, rules=rules) == {"cancelled": 1}
        assert row("k").outcome == "logged already"
    assert push_service.received == []


def test_a_row_the_rules_cannot_judge_holds_up_no_other(app, user, push_service, push_ctx,
                                                       add_device):
    add_device(user.id)

    def still_wanted(batch, now):
        if any(n.key == "bad" for n in batch):
            raise RuntimeError("a rule tripped on this row")
        return {}

    with app.app_context():
        plan(user.id, "bad", NOW)
        plan(user.id, "good", NOW)
        assert _deliver(push_ctx, rules=DeliveryRules(still_wanted=still_wanted)) == {
            "sent": 1, "error": 1}
        assert row("good").state == "sent"
        assert row("bad").state == "pending" and row("bad").lease_owner == "w1"
    assert [p["title"] for p in push_service.received] == ["About good"]


def test_rows_of_other_users_go_only_to_their_devices(app, user, make_user, push_service,
                                                       push_ctx, add_device):
    other = make_user("other@example.com")
    mine, _ = add_device(user.id)
    theirs, _ = add_device(other.id)
    with app.app_context():
        plan(user.id, "mine", NOW)
        _deliver(push_ctx)
        count = db.session.scalar(select(func.count()).select_from(PushSubscription))
        assert count == 2
    assert len(push_service.received_for(mine["endpoint"])) == 1
    assert push_service.received_for(theirs["endpoint"]) == []
