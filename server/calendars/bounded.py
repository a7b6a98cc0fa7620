"""The parser child: a long-lived, limited interpreter that reads feeds one after another.

A 6.9 MB feed has taken 19 s and 194 MB; a hostile one could take hours or all the memory. The
child is a fresh interpreter (``python -I -m server.calendars.bounded``) that limits its own
address space before reading anything, then serves jobs on stdin: a JSON header line, then the
body. Before each job it sets its CPU limit to what it has used so far plus the job's budget,
so a feed that overruns is killed by the kernel (SIGXCPU) and the pool replaces the child. Each
job starts with icalendar's time-zone cache emptied, so one feed's VTIMEZONE never changes how
another feed is read. The answer is a length-prefixed JSON frame on stdout.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

FRAME = struct.Struct(">I")
MAX_OUTPUT_BYTES = 64 * 1024 * 1024
JOBS_PER_CHILD = 500  # the pool retires a child after this many feeds: bounds slow leaks


@dataclass(frozen=True)
class ParseLimits:
    """Resource limits: memory for the child's life, CPU and wall clock for each feed."""

    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 60
    wall_seconds: float = 90.0


WORKER_LIMITS = ParseLimits()


def _cpu_used() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _limit_memory(memory_bytes: int) -> None:
    """Limits for the child's whole life, applied before any input is read."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))


def _budget_cpu(seconds: int) -> float:
    """Let this job use `seconds` more CPU; return the CPU used before it."""
    import resource

    used = _cpu_used()
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used) + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    return used


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def run_job(data: bytes, args: dict[str, Any]) -> dict[str, Any]:
    """Parse one body; every failure becomes {"error": kind, "message": plain words}."""
    import icalendar

    from .outcome import FeedError
    from .parse import parse_feed

    icalendar.use_zoneinfo()  # empties the time-zone cache the previous feed filled
    try:
        feed = parse_feed(
            data,
            datetime.fromisoformat(args["window_start"]),
            datetime.fromisoformat(args["window_end"]),
            str(args["user_zone"]),
        )
        return {"feed": feed.to_json()}
    except MemoryError:
        return {"error": "memory"}
    except FeedError as exc:
        return {"error": exc.kind, "message": str(exc)}
    except RecursionError:
        return {"error": "unreadable"}
    except Exception:  # any other failure is reported, never raised into the worker
        return {"error": "unreadable"}


def child_main(argv: list[str]) -> int:
    """Entry point of the child process: serve jobs until stdin closes."""
    settings = json.loads(argv[1])
    _limit_memory(int(settings["memory_bytes"]))
    stdin, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.readline()
        if not header:
            return 0
        args = json.loads(header)
        try:
            data = _read_exactly(stdin, int(args["size"]))
        except EOFError:
            return 0
        before = _budget_cpu(int(args["cpu_seconds"]))
        result = run_job(data, args)
        result["cpu"] = round(_cpu_used() - before, 4)
        payload = json.dumps(result).encode()
        out.write(FRAME.pack(len(payload)) + payload)
        out.flush()
        if result.get("error") == "memory":
            return 3  # the heap may be fragmented: let the pool start a fresh child


if __name__ == "__main__":
    sys.exit(child_main(sys.argv))
