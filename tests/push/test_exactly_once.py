"""Exactly once: concurrent workers, crashes between claim and send, and a state machine."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from server.extensions import db
from server.models.push import Notification
from server.outbound import Answer, guarded_poster
from server.push.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    DeliveryRules,
    PushContext,
    claim_due,
    deliver_due,
    deliver_one,
)
from server.push.payload import topic_for
from tests.conftest import empty_database
from tests.push.helpers import fixed, plan
from tests.push_service import PushService

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def _copies(service: PushService) -> Counter[tuple[str, str]]:
    """How many copies of each topic each device accepted."""
    return Counter((m.token, m.topic or "") for m in service.accepted())


def test_concurrent_workers_send_each_notification_once(app, user, push_service, push_ctx,
                                                        add_device):
    devices = [add_device(user.id, f"device {n}")[0] for n in range(3)]
    keys = [f"k{n}" for n in range(60)]
    with app.app_context():
        for key in keys:
            plan(user.id, key, NOW)

    def work(name: str) -> dict[str, int]:
        with app.app_context():
            try:
                return deliver_due(push_ctx, NOW, name, rules=DeliveryRules(), clock=fixed(NOW))
            finally:
                db.session.remove()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, ["w1", "w2", "w3", "w4"]))
    assert sum(r.get("sent", 0) for r in results) == len(keys)
    copies = _copies(push_service)
    assert len(copies) == len(keys) * len(devices)
    assert set(copies.values()) == {1}
    with app.app_context():
        states = db.session.scalars(select(Notification.state)).all()
        assert Counter(states) == {"sent": len(keys)}


@pytest.mark.postgres
def test_concurrent_worker_processes_on_postgresql(app, user, push_service, add_device):
    """Several real `rapport worker --once` processes on one PostgreSQL database."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("needs RAPPORT_TEST_DATABASE_URL (PostgreSQL)")
    from server.models import utcnow
    from tests.push.test_worker import NO_QUIET_HOURS, _worker

    with app.app_context():
        fresh = db.session.get(type(user), user.id)
        fresh.settings = NO_QUIET_HOURS
        db.session.commit()
        for n in range(40):
            plan(user.id, f"p{n}", utcnow() - timedelta(seconds=1), now=utcnow())
    add_device(user.id)
    procs = [_worker(app, "--once") for _ in range(3)]
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out.decode()
    copies = _copies(push_service)
    assert len(copies) == 40 and set(copies.values()) == {1}


class CrashAfterPush(Exception):
    """Stands for the process dying right after the push service said 201."""


class CrashingSession:
    """A poster that really posts, then 'dies' before the caller can record the outcome."""

    def __init__(self) -> None:
        self.poster = guarded_poster(allow_private=True)
        self.crash_next = False

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: Any) -> Answer:
        answer = self.poster.post(url, body, headers, timeout)
        if self.crash_next:
            self.crash_next = False
            raise CrashAfterPush()
        return answer


@pytest.fixture
def state_machine_env(app, push_service):
    return app, push_service


def test_outbox_state_machine(state_machine_env):
    """Plan, claim, send, crash and re-plan in any order: never lost, never shown twice."""
    app, service = state_machine_env

    class Outbox(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            empty_database(app)
            self.ctx_app = app.app_context()
            self.ctx_app.push()
            from server.models import User
            from server.models.push import PushSubscription

            user = User(email="sm@example.com", password_hash="x", name="SM")
            db.session.add(user)
            db.session.commit()
            self.user_id = user.id
            self.endpoints = []
            for _ in range(2):
                sub = service.new_subscription()
                db.session.add(PushSubscription(user_id=user.id, endpoint=sub["endpoint"],
                                                p256dh=sub["keys"]["p256dh"],
                                                auth=sub["keys"]["auth"]))
                self.endpoints.append(sub["endpoint"])
            db.session.commit()
            self.tokens = {e.rsplit("/", 1)[1] for e in self.endpoints}
            self.start = len(service.messages)
            self.now = NOW
            self.planned: set[str] = set()
            self.crashed_after_push: set[str] = set()
            self.claims: dict[str, list[int]] = {"a": [], "b": []}
            self.failures_queued = 0
            self.session = CrashingSession()
            self.ctx = PushContext(vapid_private_pem=app.config["VAPID_PRIVATE_KEY"],
                                   subject="mailto:sm@example.org",
                                   base_url="https://rapport.example.org",
                                   session=self.session, timeout=(2, 2))

        def teardown(self) -> None:
            db.session.rollback()
            service._replies.clear()
            self.ctx_app.pop()

        def copies(self) -> Counter[tuple[str, str]]:
            return Counter((m.token, m.topic) for m in service.messages[self.start:]
                           if m.status < 300 and m.token in self.tokens)

        # Attempts are bounded (MAX_ATTEMPTS, then the row is recorded `failed`, tested in
        # test_delivery); this machine checks the paths where delivery must still succeed.
        @precondition(lambda self: self.failures_queued < MAX_ATTEMPTS - 1)
        @rule(device=st.integers(0, 1), status=st.sampled_from([500, 429]))
        def push_service_fails_next(self, device: int, status: int) -> None:
            service.reply(status, endpoint=self.endpoints[device], retry_after=60)
            self.failures_queued += 1

        @rule(n=st.integers(0, 4))
        def plan_or_replan(self, n: int) -> None:
            key = f"sm:{n}"
            plan(self.user_id, key, self.now, expires=self.now + timedelta(days=30),
                 now=self.now)
            self.planned.add(key)

        @rule(worker=st.sampled_from(["a", "b"]))
        def claim(self, worker: str) -> None:
            self.claims[worker] += claim_due(self.now, worker, limit=2)

        @precondition(lambda self: any(self.claims.values()))
        @rule(worker=st.sampled_from(["a", "b"]), crash_after_push=st.booleans())
        def send(self, worker: str, crash_after_push: bool) -> None:
            if not self.claims[worker]:
                return
            nid = self.claims[worker].pop(0)
            key = db.session.get(Notification, nid).key
            self.session.crash_next = crash_after_push
            try:
                deliver_one(self.ctx, nid, worker, fixed(self.now), DeliveryRules())
            except CrashAfterPush:
                db.session.rollback()
                self.crashed_after_push.add(topic_for(key))
                self.claims[worker] = []  # the process is gone with all it held
            self.session.crash_next = False

        @rule(worker=st.sampled_from(["a", "b"]))
        def crash_before_send(self, worker: str) -> None:
            self.claims[worker] = []

        @rule(minutes=st.sampled_from([1, 3, 6]))
        def time_passes(self, minutes: int) -> None:
            self.now += timedelta(minutes=minutes)

        @invariant()
        def never_shown_twice_outside_the_crash_window(self) -> None:
            for (_, topic), count in self.copies().items():
                if topic not in self.crashed_after_push:
                    assert count == 1, topic
                else:
                    assert count <= 2, topic

        def settle(self) -> None:
            later = self.now + LEASE + timedelta(hours=3)
            for _ in range(10):
                deliver_due(self.ctx, later, "finisher", DeliveryRules(), clock=fixed(later))
                later += timedelta(hours=2)

    # Run the machine by hand so a final "everything arrives" check follows each run.
    from hypothesis.stateful import run_state_machine_as_test

    class Checked(Outbox):
        def teardown(self) -> None:
            self.settle()
            delivered = set(self.copies())
            assert delivered == {(t, topic_for(k)) for k in self.planned for t in self.tokens}
            pending = db.session.scalar(
                select(func.count()).select_from(Notification).where(
                    Notification.state != "sent"))
            assert pending == 0
            super().teardown()

    run_state_machine_as_test(
        Checked,
        settings=settings(max_examples=25, stateful_step_count=20, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
