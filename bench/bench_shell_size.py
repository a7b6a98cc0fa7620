"""Measure the compressed weight of the app shell (HTML, JS, CSS; icons excluded).

Prints JSON: per-file and total sizes raw, gzip (level 9) and brotli (quality 11, when the
brotli module is installed), against the 60 KB budget. Sizes are per file, as each is served.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 60 * 1024
SUFFIXES = {".html", ".js", ".css", ".webmanifest"}

try:
    import brotli  # type: ignore[import-not-found]
except ImportError:  # optional
    brotli = None


def shell_files() -> list[Path]:
    """Every file the phone downloads to open the app, except images."""
    files = [p for p in (ROOT / "web").rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return sorted(files) + [ROOT / "service-worker.js"]


def main() -> None:
    """Print the figures as JSON."""
    rows = []
    for path in shell_files():
        data = path.read_bytes()
        row = {
            "file": path.relative_to(ROOT).as_posix(),
            "raw": len(data),
            "gzip": len(gzip.compress(data, compresslevel=9, mtime=0)),
        }
        if brotli is not None:
            row["brotli"] = len(brotli.compress(data, quality=11))
        rows.append(row)
    total = {k: sum(r[k] for r in rows) for k in ("raw", "gzip", "brotli") if all(k in r for r in rows)}
    print(
        json.dumps(
            {
                "budget_bytes": BUDGET,
                "total": total,
                "within_budget": total["gzip"] <= BUDGET,
                "brotli_available": brotli is not None,
                "files": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
