"""Measure the app shell as transferred: every file a phone fetches to open the app.

Fetches each shell file (HTML, JS, CSS, manifest, service worker; icons excluded) from the real
application with `Accept-Encoding: gzip, br` and counts the body bytes it answers, against the
60 KB budget. The raw size of the same files is the floor it is compared with.

    python bench/bench_shell_size.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402

BUDGET = 60 * 1024
SUFFIXES = {".html", ".js", ".css", ".webmanifest"}


def shell_urls() -> list[str]:
    """Every URL the phone downloads to open the app, except images."""
    web = ROOT / "web"
    files = sorted(p for p in web.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    urls = ["/" + p.relative_to(web).as_posix() for p in files if p.name != "index.html"]
    return ["/", *urls, "/service-worker.js"]


def main() -> None:
    """Print the figures as JSON."""
    data = Path(tempfile.mkdtemp(prefix="rapport-bench-shell-"))
    app = create_app(Config({"RAPPORT_DATA_DIR": str(data),
                             "RAPPORT_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}"}))
    client = app.test_client()
    rows = []
    for url in shell_urls():
        sent = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        plain = client.get(url)
        assert sent.status_code == 200 and plain.status_code == 200, url
        rows.append({"url": url, "raw": len(plain.data), "transferred": len(sent.data),
                     "encoding": sent.headers.get("Content-Encoding", "identity")})
    transferred = sum(r["transferred"] for r in rows)
    print(json.dumps({
        "bench": "shell_size",
        "budget_bytes": BUDGET,
        "transferred_bytes": transferred,
        "raw_bytes": sum(r["raw"] for r in rows),
        "within_budget": transferred <= BUDGET,
        "files": rows,
    }))


if __name__ == "__main__":
    main()
