"""Many pushes at once: a bounded number in flight per push service, 429 closes that service.

Each push service (origin) starts with one request in flight and doubles that after each
success up to `PER_ORIGIN`, so a service that answers 429 to its first request gets no second
one; a 429 closes the origin until its Retry-After. The sends (encryption included) run on a
shared thread pool; the caller's thread only dispatches, and every `renew_every` seconds calls
`renew`, which extends the leases and names the groups whose lease was lost (their queued sends
are dropped).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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
    queues: dict[str, deque[Job]] = {}
    for job in jobs:
        queues.setdefault(job.origin, deque()).append(job)
    window = dict.fromkeys(queues, 1)
    running = dict.fromkeys(queues, 0)
    inflight: dict[Future[PushResult], Job] = {}
    out = Dispatched([], [], [])
    lost: set[int] = set()
    renewed = time.monotonic()
    executor = pool()
    while True:
        for origin, queue in queues.items():
            while queue and origin in closed:
                out.held.append((queue.popleft(), closed[origin]))
            while queue and running[origin] < window[origin]:
                job = queue.popleft()
                if job.group in lost:
                    out.dropped.append(job)
                    continue
                inflight[executor.submit(job.send)] = job
                running[origin] += 1
        if not inflight:
            break
        finished, _ = wait(inflight, timeout=renew_every, return_when=FIRST_COMPLETED)
        for future in finished:
            job = inflight.pop(future)
            running[job.origin] -= 1
            _record(out, job, future, clock(), window, closed)
        if time.monotonic() - renewed >= renew_every:
            lost |= renew()
            renewed = time.monotonic()
    return out


def _record(
    out: Dispatched,
    job: Job,
    future: Future[PushResult],
    at: datetime,
    window: dict[str, int],
    closed: dict[str, datetime],
) -> None:
    error = future.exception()
    if error is not None:
        out.done.append(Done(job, at, error=error))
        return
    result = future.result()
    out.done.append(Done(job, at, result=result))
    if result.outcome == "sent":
        window[job.origin] = min(window[job.origin] * 2, PER_ORIGIN)
    elif result.outcome == "rate_limited":
        until = at + backoff_for(result.retry_after)
        closed[job.origin] = max(closed.get(job.origin, until), until)
