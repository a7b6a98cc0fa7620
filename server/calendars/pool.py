"""A pool of long-lived parser children (see :mod:`.bounded`), shared by the sync threads.

Starting an interpreter and importing icalendar costs ~0.3 s of CPU, more than most feeds take
to parse, so children are kept and reused. A child that overruns its CPU budget, its memory or
the wall clock is killed and a fresh one takes its place on the next job; the feed gets a
plain-worded :class:`FeedError`. No fork of the parent (which holds database connections and
threads) is involved.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import selectors
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import Any

from .bounded import FRAME, JOBS_PER_CHILD, MAX_OUTPUT_BYTES, WORKER_LIMITS, ParseLimits
from .outcome import FeedError
from .parsed import ParsedFeed


class ChildGone(Exception):
    """The child died or overran; the reason is a FeedError for the feed."""

    def __init__(self, error: FeedError) -> None:
        super().__init__(str(error))
        self.error = error


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ParserChild:
    """One limited interpreter reading feeds sent on its stdin."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.jobs = 0
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env["PYTHONHASHSEED"] = "0"
        settings = json.dumps({"memory_bytes": limits.memory_bytes})
        self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-I", "-m", "server.calendars.bounded", settings],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=_package_root(),
        )

    def run(self, data: bytes, args: dict[str, Any]) -> dict[str, Any]:
        """Send one job and wait for its answer; raise ChildGone when the child does not answer."""
        assert self.process.stdin is not None and self.process.stdout is not None
        header = json.dumps({**args, "size": len(data), "cpu_seconds": self.limits.cpu_seconds})
        deadline = time.monotonic() + self.limits.wall_seconds
        self.jobs += 1
        try:
            self.process.stdin.write(header.encode() + b"\n" + data)
            self.process.stdin.flush()
            (size,) = FRAME.unpack(self._read(FRAME.size, deadline))
            if size > MAX_OUTPUT_BYTES:
                raise ChildGone(FeedError("too_heavy", "The calendar holds more meetings than "
                                          "Rapport can keep."))
            return dict(json.loads(self._read(size, deadline)))
        except (BrokenPipeError, EOFError, ValueError):
            raise ChildGone(self._death()) from None

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while size > 0:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self.kill()
                    raise ChildGone(FeedError(
                        "too_heavy",
                        f"Reading the calendar took longer than {int(self.limits.wall_seconds)} "
                        "seconds.",
                    ))
                chunk = os.read(fd, min(size, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                size -= len(chunk)
        return b"".join(chunks)

    def _death(self) -> FeedError:
        """Why the child stopped, in plain words."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = -signal.SIGKILL
        if code in (-signal.SIGXCPU, -signal.SIGKILL, 128 + signal.SIGXCPU):
            return FeedError("too_heavy", "Reading the calendar needed more than "
                             f"{self.limits.cpu_seconds} seconds of processing.")
        if code == 3:
            return FeedError("too_heavy", "Reading the calendar needed more than "
                             f"{self.limits.memory_bytes // (1024 * 1024)} MB of memory.")
        return FeedError("unreadable")

    def alive(self) -> bool:
        """The process is still running."""
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the child now and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


class ParserPool:
    """At most `size` children, started on demand, handed to one caller at a time."""

    def __init__(self, size: int, limits: ParseLimits = WORKER_LIMITS) -> None:
        self.size = max(1, size)
        self.limits = limits
        self._idle: queue.LifoQueue[ParserChild] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._children: set[ParserChild] = set()
        self.started = 0  # children started so far (replacements included)

    def _take(self) -> ParserChild:
        """An idle live child, or a new one (the caller holds a slot)."""
        try:
            while True:
                child = self._idle.get_nowait()
                if child.alive():
                    return child
                self._forget(child)
        except queue.Empty:
            pass
        child = ParserChild(self.limits)
        with self._lock:
            self._children.add(child)
            self.started += 1
        return child

    def _forget(self, child: ParserChild) -> None:
        child.kill()
        with self._lock:
            self._children.discard(child)

    def parse(
        self, data: bytes, window_start: datetime, window_end: datetime, user_zone: str
    ) -> tuple[ParsedFeed, float]:
        """The feed's meetings in the window and the CPU seconds the child spent on them."""
        args = {
            "window_start": window_start.isoformat(),
            "window_end": window_end.isoformat(),
            "user_zone": user_zone,
        }
        self._slots.acquire()
        try:
            child = self._take()
            try:
                result = child.run(data, args)
            except ChildGone as gone:
                self._forget(child)
                raise gone.error from None
            if child.jobs >= JOBS_PER_CHILD:
                self._forget(child)  # retired; the next job starts a fresh one
            else:
                self._idle.put(child)
        finally:
            self._slots.release()
        return _read_result(result, self.limits), float(result.get("cpu", 0.0))

    def close(self) -> None:
        """Stop every child."""
        with self._lock:
            children = list(self._children)
            self._children.clear()
        for child in children:
            child.kill()


def _read_result(result: dict[str, Any], limits: ParseLimits) -> ParsedFeed:
    error = result.get("error")
    if error == "memory":
        raise FeedError("too_heavy", "Reading the calendar needed more than "
                        f"{limits.memory_bytes // (1024 * 1024)} MB of memory.")
    if error:
        raise FeedError(str(error), result.get("message"))
    try:
        return ParsedFeed.from_json(result["feed"])
    except (KeyError, TypeError, ValueError):
        raise FeedError("unreadable") from None


_SHARED: dict[tuple[int, ParseLimits], ParserPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(size: int, limits: ParseLimits = WORKER_LIMITS) -> ParserPool:
    """This process's pool for the given size and limits (stopped at exit)."""
    with _SHARED_LOCK:
        pool = _SHARED.get((size, limits))
        if pool is None:
            pool = _SHARED[(size, limits)] = ParserPool(size, limits)
        return pool


@atexit.register
def _close_shared() -> None:
    for pool in list(_SHARED.values()):
        pool.close()
