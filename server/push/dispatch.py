"""Many pushes at once: a bounded number in flight per push service, 429 closes that service.

Each push service (origin) starts with one request in flight and doubles that after each
success up to `PER_ORIGIN`, so a service that answers 429 to its first request gets no second
one; a 429 closes the origin until its Retry-After. The sends (encryption included) run on a
shared thread pool whose threads take the next job themselves; the caller's thread is free
(delivery prepares its next batch meanwhile) until it waits, and every `renew_every` seconds
calls `renew`, which extends the leases and names the groups whose lease was lost (their queued
sends are dropped).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from .sender import PushResult

POOL_SIZE = 16  # threads per process sending pushes
PER_ORIGIN = 8  # most requests in flight to one push service (below the HTTP pool's 10)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool() -> ThreadPoolExecutor:
    """The process's send pool, started on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(POOL_SIZE, thread_name_prefix="push-send")
        return _pool


@dataclass
class Job:
    """One push to send: `group` is what it belongs to (the notification), `ref` the device."""

    group: int
    ref: int
    origin: str
    send: Callable[[], PushResult]


@dataclass
class Done:
    """A finished job: its result (or the exception it raised) and when it finished."""

    job: Job
    at: datetime
    result: PushResult | None = None
    error: BaseException | None = None


@dataclass
class Dispatched:
    """Everything that happened: finished jobs, jobs held back by a closed origin, dropped ones."""

    done: list[Done]
    held: list[tuple[Job, datetime]]
    dropped: list[Job]


def backoff_for(retry_after: float | None) -> timedelta:
    """How long a push service that answered 429 stays closed (Retry-After, else a minute)."""
    seconds = retry_after if retry_after is not None else 60.0
    return timedelta(seconds=min(max(seconds, 1.0), 24 * 3600))


def dispatch(
    jobs: list[Job],
    *,
    closed: dict[str, datetime],
    clock: Callable[[], datetime],
    renew: Callable[[], set[int]],
    renew_every: float,
) -> Dispatched:
    """Run `jobs` concurrently under the per-origin bounds; `closed` is updated by 429s."""
    return Sending(jobs, closed, clock).wait(renew, renew_every)


class Sending:
    """Jobs being sent: sender threads take the next job themselves (no hand-off through the
    caller per push), so the caller is free until it `wait`s. One `Sending` at a time per
    process keeps the per-origin bounds (the next starts once this one's senders are done)."""

    def __init__(self, jobs: list[Job], closed: dict[str, datetime],
                 clock: Callable[[], datetime]) -> None:
        self.run = _Run(jobs, closed, clock)
        origins = len({job.origin for job in jobs})
        self.senders = [pool().submit(self.run.send_all)
                        for _ in range(min(POOL_SIZE, PER_ORIGIN * origins, len(jobs)))]
        self.renewed = time.monotonic()

    def wait(self, renew: Callable[[], set[int]], renew_every: float) -> Dispatched:
        """Wait for every job, calling `renew` every `renew_every` seconds since the start; it
        names the groups whose lease was lost (their queued jobs are dropped)."""
        while True:
            left = renew_every - (time.monotonic() - self.renewed)
            _, pending = wait(self.senders, timeout=max(left, 0.0))
            if not pending:
                break
            if time.monotonic() - self.renewed >= renew_every:
                self.run.lose(renew())
                self.renewed = time.monotonic()
        for sender in self.senders:
            sender.result()  # a sender's own failure (not a job's) surfaces here
        return self.run.out


class _Run:
    """The shared state of one dispatch: queues per origin, windows, what happened."""

    def __init__(self, jobs: list[Job], closed: dict[str, datetime],
                 clock: Callable[[], datetime]) -> None:
        self.queues: dict[str, deque[Job]] = {}
        for job in jobs:
            self.queues.setdefault(job.origin, deque()).append(job)
        self.window = dict.fromkeys(self.queues, 1)
        self.running = dict.fromkeys(self.queues, 0)
        self.closed, self.clock = closed, clock
        self.lost: set[int] = set()
        self.out = Dispatched([], [], [])
        self.cond = threading.Condition()

    def lose(self, groups: set[int]) -> None:
        """Groups whose lease was lost: their queued jobs are dropped, not sent."""
        with self.cond:
            self.lost |= groups

    def send_all(self) -> None:
        """Send jobs until none is left that this thread may take."""
        while (job := self._take()) is not None:
            try:
                done = Done(job, self.clock(), result=job.send())
            except Exception as exc:  # recorded for the job's row; the others go on
                done = Done(job, self.clock(), error=exc)
            with self.cond:
                self.running[job.origin] -= 1
                self._record(done)
                self.cond.notify_all()

    def _take(self) -> Job | None:
        with self.cond:
            while True:
                waiting = False
                for origin, queue in self.queues.items():
                    while queue and origin in self.closed:
                        self.out.held.append((queue.popleft(), self.closed[origin]))
                    while queue and queue[0].group in self.lost:
                        self.out.dropped.append(queue.popleft())
                    if not queue:
                        continue
                    if self.running[origin] < self.window[origin]:
                        self.running[origin] += 1
                        return queue.popleft()
                    waiting = True  # this origin's window is full: a reply will open it
                if not waiting:
                    return None
                self.cond.wait()

    def _record(self, done: Done) -> None:
        self.out.done.append(done)
        result, origin = done.result, done.job.origin
        if result is None:
            return
        if result.outcome == "sent":
            self.window[origin] = min(self.window[origin] * 2, PER_ORIGIN)
        elif result.outcome == "rate_limited":
            until = done.at + backoff_for(result.retry_after)
            self.closed[origin] = max(self.closed.get(origin, until), until)
