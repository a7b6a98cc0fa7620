"""The hard total deadline of an outbound request: one watchdog thread per process shuts down
every socket opened under a deadline when it expires, so a server dripping one byte at a time
cannot hold a worker."""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests


class DeadlineExceeded(requests.RequestException):
    """The request as a whole took longer than its deadline."""


_local = threading.local()


class _Watchdog:
    """One thread for every deadline of the process: a timer thread per request costs more
    than a push request does."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: _Deadline) -> None:
        """Fire `deadline` when it expires, unless it is cancelled first."""
        with self._cond:
            heapq.heappush(self._heap, (deadline.expires, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbound-deadlines",
                                                daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                _, _, due = heapq.heappop(self._heap)
            if not due.cancelled:
                due.fire()

    def reset(self) -> None:
        """Forget the parent's thread and deadlines in a forked child."""
        self._cond = threading.Condition()
        self._heap = []
        self._thread = None


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.reset)


class _Deadline:
    """Shuts down registered sockets when time is up."""

    def __init__(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds
        self.expired = False
        self.cancelled = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        _watchdog.watch(self)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.expires - time.monotonic())

    def register(self, sock: socket.socket | None) -> None:
        """Watch a socket; shut it at once if the deadline already passed."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def fire(self) -> None:
        """Time is up: shut every registered socket."""
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        """The request ended in time: nothing to shut."""
        with self._lock:
            self.cancelled = True
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


@contextmanager
def deadline(seconds: float) -> Iterator[_Deadline]:
    """Bound every guarded request made by this thread inside the block to `seconds` in total."""
    outer = getattr(_local, "deadline", None)
    if outer is not None and outer.remaining() <= seconds:
        yield outer  # an enclosing, tighter deadline already applies
        return
    current = _Deadline(seconds)
    _local.deadline = current
    try:
        yield current
    finally:
        current.cancel()
        _local.deadline = outer


def register_socket(sock: socket.socket | None) -> None:
    """Put a socket under this thread's deadline, if there is one."""
    limit = getattr(_local, "deadline", None)
    if limit is not None:
        limit.register(sock)


def current() -> _Deadline | None:
    """The deadline this thread is under, if any."""
    return getattr(_local, "deadline", None)


def expired() -> bool:
    """Whether this thread's deadline has fired."""
    limit = current()
    return limit is not None and limit.expired
