"""Measure what the bounded JSON reader (server/json_body.py) costs over a plain json.loads.

Prints JSON: for a backup-shaped document of about 10 MB (5,000 contacts, 50,000 log entries)
and a 2 KB log entry, the median time of plain `json.loads` (the floor, measured in the same
run) and of `load_json_text` (nesting check, parse, Unicode and NUL check), and their ratio;
and how fast the reader refuses 100,000 levels of nesting.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from server.errors import ApiError
from server.json_body import load_json_text

RUNS = 7


def backup_document() -> str:
    """A document shaped like an export: many small objects, strings with escapes."""
    contacts = [
        {"id": n, "name": f"Person {n} \u00e9\u00e8", "emails": [f"p{n}@example.com"],
         "tags": ["work", "friend"], "notes": 'said "hi" [twice] {ok}'}
        for n in range(5_000)
    ]
    logs = [
        {"uuid": f"00000000-0000-4000-8000-{n:012d}", "occurred_at": "2026-01-05T10:00:00+00:00",
         "kind": "call", "contact_ids": [n % 5_000], "notes": f"entry {n} \U0001f600",
         "gave": [{"category": "advice", "note": "pricing"}], "received": []}
        for n in range(50_000)
    ]
    # As the export writes it: UTF-8 text, not \u escapes.
    document = {"format": "rapport-backup", "contacts": contacts, "interactions": logs}
    return json.dumps(document, ensure_ascii=False)


def median_seconds(call: Callable[[], Any]) -> float:
    """Median wall time of RUNS calls."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def refuse_deep() -> None:
    """The reader refuses 100,000 nested brackets without recursing."""
    try:
        load_json_text("[" * 100_000 + "]" * 100_000)
    except ApiError:
        return
    raise AssertionError("deep nesting was accepted")


def main() -> None:
    """Print the figures as JSON."""
    figures: dict[str, Any] = {}
    for name, text in (("backup", backup_document()), ("log_entry", json.dumps(
        {"occurred_at": "2026-01-05T10:00:00+00:00", "kind": "call", "contact_ids": [1, 2],
         "notes": "x" * 2_000, "gave": [{"category": "advice"}], "received": []}))):
        floor = median_seconds(lambda text=text: json.loads(text))
        guarded = median_seconds(lambda text=text: load_json_text(text))
        figures[name] = {
            "bytes": len(text.encode()),
            "json_loads_ms": round(floor * 1000, 3),
            "load_json_text_ms": round(guarded * 1000, 3),
            "ratio": round(guarded / floor, 2),
        }
    figures["refuse_100000_deep_ms"] = round(median_seconds(refuse_deep) * 1000, 3)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
