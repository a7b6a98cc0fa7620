"""Resident memory of `rapport serve` and `rapport worker` as a newcomer starts them.

Starts `rapport serve --no-worker` on a fresh database (so it migrates it, as a first start
does), signs up one account and opens the main screens through it, then reads the server's
VmRSS; starts `rapport worker` on the same database and reads its VmRSS once it has run a pass;
and prints both beside a hello-world Flask app on the same WSGI server (the floor), as JSON.

    python bench/bench_memory.py                    # SQLite in a temporary directory
    python bench/bench_memory.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/rapport_bench
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from bench_api import HELLO, ROOT, free_port, rss_mb, start
from benchdb import fresh_database

SCREENS = ("/", "/app.js", "/api/auth/me", "/api/today", "/api/habits?days=90", "/api/contacts",
           "/api/meetings", "/api/settings", "/api/calendars")
WORKER_SETTLE_S = 3.0


def sign_up_and_browse(base: str) -> None:
    """One account through the real API, then each main screen's requests once."""
    session = requests.Session()
    token = session.get(base + "/api/auth/csrf", timeout=30).json()["csrf_token"]
    session.headers["X-CSRFToken"] = token
    created = session.post(base + "/api/auth/register", timeout=30,
                           json={"email": "memory@example.com", "password": "a long bench passphrase"})
    assert created.status_code == 201, created.text
    for path in SCREENS:
        answer = session.get(base + path, timeout=30)
        assert answer.status_code == 200, (path, answer.status_code)


def main() -> None:
    """Start the processes, read their memory, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("RAPPORT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-memory-"))
    url = fresh_database(args.database_url, tmp)
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_DATA_DIR": str(tmp),
           "RAPPORT_REGISTRATION": "open", "PYTHONPATH": str(ROOT)}
    port, hello_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "server.cli", "serve", "--no-worker", "--port", str(port)],
                   env, base + "/healthz")
    hello = start([sys.executable, "-c", HELLO, str(hello_port), "8"], env,
                  f"http://127.0.0.1:{hello_port}/")
    worker = None
    try:
        started_mb = rss_mb(server.pid)
        sign_up_and_browse(base)
        time.sleep(0.5)
        figures = {"serve_started_mb": started_mb, "serve_idle_mb": rss_mb(server.pid),
                   "hello_idle_mb": rss_mb(hello.pid)}
        worker = subprocess.Popen([sys.executable, "-m", "server.cli", "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(WORKER_SETTLE_S)
        assert worker.poll() is None, "the worker exited"
        figures["worker_idle_mb"] = rss_mb(worker.pid)
    finally:
        for proc in (server, hello, worker):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    figures["serve_vs_hello"] = round(figures["serve_idle_mb"] / figures["hello_idle_mb"], 2)
    print(json.dumps({"bench": "memory", "database": url.split(":", 1)[0].split("+")[0],
                      "memory": figures}))


if __name__ == "__main__":
    main()
