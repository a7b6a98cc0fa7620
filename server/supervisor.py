"""`rapport serve`'s worker child: started beside the web server, restarted when it dies."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # a child that lived this long starts the backoff from the beginning again


class WorkerSupervisor:
    """Run `rapport worker` as a child process; restart it with exponential backoff."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[Any] | None = None
        self.restarts = 0
        self.started_at = 0.0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    @property
    def pid(self) -> int | None:
        """The current child's process id."""
        return self.proc.pid if self.proc else None

    def start(self) -> WorkerSupervisor:
        """Start the child and the thread that watches it."""
        self._spawn()
        self._thread.start()
        return self

    def _spawn(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "server.cli", "worker", "--parent-pid", str(os.getpid())]
            )
            self.started_at = time.monotonic()

    def _watch(self) -> None:
        backoff = BACKOFF_FIRST
        while not self._stopping.wait(0.5):
            assert self.proc is not None
            code = self.proc.poll()
            if code is None:
                if time.monotonic() - self.started_at >= HEALTHY_AFTER:
                    backoff = BACKOFF_FIRST
                continue
            log.warning("worker (pid %d) exited with %s; restarting in %.0f s", self.proc.pid, code, backoff)
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, BACKOFF_MAX)
            self._spawn()
            self.restarts += 1
            log.info("worker restarted (pid %s)", self.pid)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching, then end the child (SIGTERM, then SIGKILL after `timeout`)."""
        with self._lock:
            self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
