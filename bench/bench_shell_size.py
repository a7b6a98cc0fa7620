"""Measure the app shell as transferred: what a phone downloads to have the app offline.

The files are the ones the served service worker precaches (its SHELL_FILES), plus `/` and
`/service-worker.js` itself, fetched from the real application with the Accept-Encoding Chromium
sends over HTTPS (`gzip, deflate, br, zstd`); their body bytes are counted against the 60 KB
budget. Icons are precached too but are PNGs that no encoding shrinks: counted apart. For context,
the same files for a client that takes only gzip (Chromium over plain http:// to a LAN address; it
takes brotli from localhost), their raw size, and the online-only modules a phone fetches only
when it opens them.

    python bench/bench_shell_size.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402

BUDGET = 60 * 1024
HTTPS_CHROMIUM = "gzip, deflate, br, zstd"
GZIP_ONLY = "gzip, deflate"
ICONS = (".png",)


def listed(service_worker: str, name: str) -> list[str]:
    """The URLs of one of the service worker's lists (SHELL_FILES, ON_DEMAND_FILES)."""
    body = service_worker.split(f"const {name} = [", 1)[1].split("];", 1)[0]
    return re.findall(r"'(/[^']*)'", body)


def measure(client: Any) -> dict[str, Any]:
    """The figures for one application, through its test client."""
    service_worker = client.get("/service-worker.js").get_data(as_text=True)
    precached = ["/", *(u for u in listed(service_worker, "SHELL_FILES") if u != "/"), "/service-worker.js"]

    def sizes(url: str) -> dict[str, Any]:
        sent = client.get(url, headers={"Accept-Encoding": HTTPS_CHROMIUM})
        gzipped = client.get(url, headers={"Accept-Encoding": GZIP_ONLY})
        plain = client.get(url)
        assert sent.status_code == gzipped.status_code == plain.status_code == 200, url
        return {"url": url, "raw": len(plain.data), "transferred": len(sent.data), "gzip": len(gzipped.data),
                "encoding": sent.headers.get("Content-Encoding", "identity")}

    rows = [sizes(u) for u in precached if not u.endswith(ICONS)]
    icons = [sizes(u) for u in precached if u.endswith(ICONS)]
    on_demand = [sizes(u) for u in listed(service_worker, "ON_DEMAND_FILES")]
    transferred = sum(r["transferred"] for r in rows)
    return {
        "bench": "shell_size",
        "accept_encoding": HTTPS_CHROMIUM,
        "budget_bytes": BUDGET,
        "transferred_bytes": transferred,
        "gzip_only_bytes": sum(r["gzip"] for r in rows),
        "raw_bytes": sum(r["raw"] for r in rows),
        "within_budget": transferred <= BUDGET,
        "icons_bytes": sum(r["transferred"] for r in icons),
        "on_demand_bytes": sum(r["transferred"] for r in on_demand),
        "files": rows,
        "on_demand": on_demand,
    }


def main() -> None:
    """Print the figures as JSON."""
    data = Path(tempfile.mkdtemp(prefix="rapport-bench-shell-"))
    app = create_app(Config({"RAPPORT_DATA_DIR": str(data),
                             "RAPPORT_DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}"}))
    print(json.dumps(measure(app.test_client())))


if __name__ == "__main__":
    main()
