"""Sending many pushes at once: the bounds per push service, 429s, lost leases, failures."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from server.push import dispatch as dispatching
from server.push.dispatch import Job, dispatch
from server.push.sender import PushResult

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Service:
    """A fake push service per origin: counts requests in flight and answers as told."""

    def __init__(self, answers: dict[str, str] | None = None, delay: float = 0.005) -> None:
        self.answers = answers or {}
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.sent: list[tuple[str, int]] = []

    def job(self, origin: str, n: int) -> Job:
        def send() -> PushResult:
            with self.lock:
                self.in_flight[origin] = self.in_flight.get(origin, 0) + 1
                self.most[origin] = max(self.most.get(origin, 0), self.in_flight[origin])
            time.sleep(self.delay)
            with self.lock:
                self.in_flight[origin] -= 1
                self.sent.append((origin, n))
            outcome = self.answers.get(origin, "sent")
            if outcome == "boom" and n == 0:
                raise RuntimeError("encryption failed")
            return PushResult("rate_limited", 429, retry_after=30) if outcome == "429" else PushResult("sent", 201)

        return Job(group=n, ref=n, origin=origin, send=send)


def test_requests_in_flight_stay_within_the_bound_of_each_push_service():
    service = Service()
    jobs = [service.job(origin, n) for n in range(60) for origin in ("fcm", "apple")]
    out = dispatch(jobs, closed={}, clock=lambda: NOW, renew=set, renew_every=60.0)
    assert len(out.done) == 120 and not out.held and not out.dropped
    assert all(d.result.outcome == "sent" for d in out.done)
    assert 1 < service.most["fcm"] <= dispatching.PER_ORIGIN
    assert 1 < service.most["apple"] <= dispatching.PER_ORIGIN


def test_a_429_on_the_first_request_gets_no_second_one_and_other_services_go_on():
    service = Service({"mozilla": "429"})
    closed: dict[str, datetime] = {}
    jobs = [service.job("mozilla", n) for n in range(10)] + [service.job("fcm", n) for n in range(10)]
    out = dispatch(jobs, closed=closed, clock=lambda: NOW, renew=set, renew_every=60.0)
    assert [o for o, _ in service.sent].count("mozilla") == 1
    assert [o for o, _ in service.sent].count("fcm") == 10
    assert len(out.held) == 9 and {job.origin for job, _ in out.held} == {"mozilla"}
    assert (closed["mozilla"] - NOW).total_seconds() == 30


def test_jobs_of_a_lost_lease_are_dropped_and_a_failing_job_stops_no_other():
    service = Service({"fcm": "boom"}, delay=0.02)
    jobs = [service.job("fcm", n) for n in range(40)]
    out = dispatch(jobs, closed={}, clock=lambda: NOW, renew=lambda: {39, 38}, renew_every=0.05)
    errors = [d for d in out.done if d.error is not None]
    assert [d.job.group for d in errors] == [0]
    assert {job.group for job in out.dropped} <= {38, 39} and out.dropped
    assert len(out.done) + len(out.dropped) == 40
