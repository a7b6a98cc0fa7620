"""Run :func:`parse_feed` in a child process with memory, CPU and wall-clock limits.

A 6.9 MB feed has taken 19 s and 194 MB; a hostile one could take hours or all the memory. The
child is a fresh interpreter (``python -m server.calendars.bounded``) that limits itself with
``setrlimit`` before reading anything, gets the body on stdin and writes JSON on stdout; the
parent kills it when the wall-clock deadline passes. No fork of the parent (which may hold
database connections and threads) is involved.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .parse import FeedError, ParsedFeed

MAX_OUTPUT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ParseLimits:
    """Resource limits for one bounded parse."""

    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 60
    wall_seconds: float = 90.0


WORKER_LIMITS = ParseLimits()
REQUEST_LIMITS = ParseLimits(memory_bytes=512 * 1024 * 1024, cpu_seconds=8, wall_seconds=10.0)


def parse_bounded(
    data: bytes,
    window_start: datetime,
    window_end: datetime,
    user_zone: str,
    limits: ParseLimits = WORKER_LIMITS,
) -> ParsedFeed:
    """Parse in a limited child; raise FeedError with plain words on any failure."""
    args = {
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        "user_zone": user_zone,
        "memory_bytes": limits.memory_bytes,
        "cpu_seconds": limits.cpu_seconds,
    }
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["PYTHONHASHSEED"] = "0"
    try:
        completed = subprocess.run(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-I", "-m", "server.calendars.bounded", json.dumps(args)],
            input=data,
            capture_output=True,
            timeout=limits.wall_seconds,
            env=env,
            cwd=_package_root(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FeedError(
            f"Reading the calendar took longer than {int(limits.wall_seconds)} seconds."
        ) from None
    return _read_result(completed, limits)


def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read_result(completed: subprocess.CompletedProcess[bytes], limits: ParseLimits) -> ParsedFeed:
    """Turn the child's exit into a ParsedFeed or a FeedError."""
    code = completed.returncode
    if code in (-signal.SIGXCPU, -signal.SIGKILL) or code == 152:
        raise FeedError(
            f"Reading the calendar needed more than {limits.cpu_seconds} seconds of processing."
        )
    if len(completed.stdout) > MAX_OUTPUT_BYTES:
        raise FeedError("The calendar produced more meetings than Rapport can keep.")
    try:
        result: dict[str, Any] = json.loads(completed.stdout or b"{}")
    except ValueError:
        result = {}
    if code == 3 or result.get("error") == "memory":
        raise FeedError(
            f"Reading the calendar needed more than {limits.memory_bytes // (1024 * 1024)} MB "
            "of memory."
        )
    if result.get("error"):
        raise FeedError(str(result["error"])[:300])
    if code != 0 or "feed" not in result:
        raise FeedError("The calendar could not be read (the reader stopped unexpectedly).")
    try:
        return ParsedFeed.from_json(result["feed"])
    except (KeyError, TypeError, ValueError) as exc:
        raise FeedError("The calendar could not be read (unexpected reader output).") from exc


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    """Apply the limits to this (child) process before touching the input."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))


def child_main(argv: list[str]) -> int:
    """Entry point of the child process."""
    args = json.loads(argv[1])
    _limit_self(int(args["memory_bytes"]), int(args["cpu_seconds"]))
    out = sys.stdout.buffer
    try:
        data = sys.stdin.buffer.read()
        feed = parse_feed_from_args(data, args)
        out.write(json.dumps({"feed": feed.to_json()}).encode())
        return 0
    except MemoryError:
        out.write(b'{"error": "memory"}')
        return 3
    except FeedError as exc:
        out.write(json.dumps({"error": str(exc)}).encode())
        return 0
    except RecursionError:
        out.write(json.dumps({"error": "The calendar is nested too deeply to read."}).encode())
        return 0
    except Exception as exc:  # any other failure is reported, never raised into the worker
        message = f"The calendar could not be read: {type(exc).__name__}"
        out.write(json.dumps({"error": message}).encode())
        return 0


def parse_feed_from_args(data: bytes, args: dict[str, Any]) -> ParsedFeed:
    """Call parse_feed with the JSON arguments the parent sent."""
    from .parse import parse_feed

    return parse_feed(
        data,
        datetime.fromisoformat(args["window_start"]),
        datetime.fromisoformat(args["window_end"]),
        str(args["user_zone"]),
    )


if __name__ == "__main__":
    sys.exit(child_main(sys.argv))
