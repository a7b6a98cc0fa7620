"""The API through the real server: one big account, then 100 users under 16 clients.

Builds one user with 5,000 contacts and 50,000 interactions and 99 smaller users with bulk
inserts, starts `rapport serve --no-worker` (waitress) in its own process, and measures over
loopback HTTP, printing JSON:

- p50/p95 of the main reads and of `PUT /api/interactions/<uuid>` for the big account, one
  request at a time, beside the trivial `GET /api/auth/csrf` of the same run;
- 16 concurrent clients over the 100 users, mixed reads and logs: requests per second, p50,
  p95 and errors, beside a hello-world Flask app on the same WSGI server and thread count
  and beside Rapport's own trivial `GET /api/auth/csrf` under the same clients;
- how often Today and Habits were served from the server's answer cache (`cache_hit_rate`),
  and what the screen's own request costs when rebuilt (after the user's replan mark moved, as
  any write moves it);
- the server's resident memory idle and after the load, beside the hello-world app's.

After the bulk load the database is brought to the state a live one is in: ANALYZE on SQLite;
VACUUM ANALYZE on PostgreSQL, as autovacuum would have done.

    python bench/bench_api.py                       # SQLite in a temporary directory
    RAPPORT_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/rapport_bench \
        python bench/bench_api.py                   # PostgreSQL (the schema is recreated)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, insert, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchdb import fresh_database  # noqa: E402

from server import create_app  # noqa: E402
from server.auth import hash_password  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import TestConfig  # noqa: E402
from server.crypto import sha256_hex  # noqa: E402
from server.extensions import db  # noqa: E402
from server.logbook.last_seen import refresh_last_seen  # noqa: E402
from server.models import ApiToken, Contact, User  # noqa: E402
from server.models.interactions import (  # noqa: E402
    GIVE_TAKE_CATEGORIES,
    INTERACTION_KINDS,
    Challenge,
    GiveTakeItem,
    Interaction,
    InteractionContact,
    Win,
)
from server.worker import count_due_balances  # noqa: E402

PASSWORD = "bench password 123"
KINDS = ["mentor", "mentee", "client", "peer", "friend", "other", "other", "other"]
FIRST = ["Ann", "Tom", "Raj", "Maya", "Lee", "Sam", "Ivy", "Omar", "Zoe", "Ben", "Ada", "Kai"]
LAST = ["Baker", "Singh", "Okafor", "Lee", "Garcia", "Novak", "Smith", "Ito", "Khan", "Berg"]


def build_data(n_contacts: int, n_interactions: int, now: datetime, seed: int = 7,
               email: str = "bench@example.com", password_hash: str | None = None) -> int:
    """Insert one user with the given volume of contacts and log; returns the user id."""
    rng = random.Random(seed)
    user = User(email=email, password_hash=password_hash or hash_password(PASSWORD), name="Bench",
                timezone="Europe/London", settings={})
    db.session.add(user)
    db.session.flush()
    uid = user.id
    created = now - timedelta(days=4 * 365)
    contacts = []
    for n in range(n_contacts):
        has_birthday = rng.random() < 0.6
        contacts.append({
            "user_id": uid,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
            "company": f"Company {n % 400}",
            "title": "",
            "phones": [],
            "kind": rng.choice(KINDS),
            "cadence_days": rng.choice([None] * 9 + [45]),
            "birthday_year": rng.choice([None, 1970 + n % 30]) if has_birthday else None,
            "birthday_month": rng.randint(1, 12) if has_birthday else None,
            "birthday_day": rng.randint(1, 28) if has_birthday else None,
            "how_met": "",
            "notes": "",
            "url": "",
            "created_at": created,
            "updated_at": created,
        })
    db.session.execute(insert(Contact), contacts)
    contact_ids = list(db.session.scalars(text("SELECT id FROM contacts WHERE user_id = :u ORDER BY id"),
                                          {"u": uid}))
    span = 3 * 365 * 86400
    logs = []
    for _ in range(n_interactions):
        when = now - timedelta(seconds=rng.randint(3600, span))
        follow = rng.random() < 0.05
        logs.append({
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "user_id": uid,
            "occurred_at": when,
            "kind": rng.choice(INTERACTION_KINDS),
            "meeting_id": None,
            "notes": "Talked shop",
            "challenge": "Hiring" if rng.random() < 0.1 else None,
            "follow_up_on": (when + timedelta(days=30)).date() if follow else None,
            "follow_up_done_at": when + timedelta(days=31) if follow and rng.random() < 0.7 else None,
            "follow_up_snoozed_until": None,
            "created_at": when,
            "updated_at": when,
        })
    db.session.execute(insert(Interaction), logs)
    rows = db.session.execute(text(
        "SELECT id, occurred_at, challenge FROM interactions WHERE user_id = :u ORDER BY id"
    ), {"u": uid}).all()
    # A few people get much of the log (as in life): a skewed pick.
    weights = [1.0 / (1 + i % 500) for i in range(len(contact_ids))]
    links, items, challenges = [], [], []
    for index, (log_id, _occurred, challenge) in enumerate(rows):
        people = set(rng.choices(contact_ids, weights=weights, k=rng.choice([1, 1, 1, 2, 3])))
        first_item = len(items)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            direction = rng.choice(["gave", "received"])
            promised = direction == "gave" and rng.random() < 0.05
            items.append({
                "interaction_id": log_id, "user_id": uid, "contact_id": None,
                "occurred_at": logs[index]["occurred_at"],
                "direction": direction, "category": rng.choice(GIVE_TAKE_CATEGORIES),
                "note": "", "promised": promised,
                "due_on": (now + timedelta(days=rng.randint(-60, 60))).date() if promised else None,
                "delivered_at": now if promised and rng.random() < 0.6 else None,
                "created_at": now,
            })
        mine = items[first_item:]
        gave = sum(1 for i in mine if i["direction"] == "gave"
                   and not (i["promised"] and i["delivered_at"] is None))
        received = sum(1 for i in mine if i["direction"] == "received")
        for cid in people:
            links.append({"interaction_id": log_id, "contact_id": cid, "user_id": uid,
                          "occurred_at": logs[index]["occurred_at"],
                          "gave_count": gave, "received_count": received})
            if challenge:
                challenges.append({"user_id": uid, "contact_id": cid, "interaction_id": log_id,
                                   "text": challenge, "noted_on": date(2024, 1, 1),
                                   "check_in_on": None, "resolved_at": None, "created_at": now})
    for table, batch in ((InteractionContact, links), (GiveTakeItem, items), (Challenge, challenges)):
        for start in range(0, len(batch), 10_000):
            db.session.execute(insert(table), batch[start:start + 10_000])
    wins = [{"user_id": uid, "contact_id": rng.choice(contact_ids), "text": "Promoted",
             "happened_on": (now - timedelta(days=rng.randint(0, 400))).date(),
             "congratulated_at": None if rng.random() < 0.3 else now, "created_at": now}
            for _ in range(800)]
    db.session.execute(insert(Win), wins)
    refresh_last_seen(uid, set(contact_ids))
    db.session.execute(update(Contact).where(Contact.user_id == uid).values(updated_at=created))
    db.session.commit()
    return uid


def settle(engine: Any) -> None:
    """Bring the kept balances, the statistics (and, on PostgreSQL, the visibility map) up to
    date after the load, as a live database has them.

    The bulk insert bypasses the flush that counts each person's 12-month give/take, so the
    worker's count is run here until nobody is left (in the field each write counts its people
    and the worker the rest). A live PostgreSQL database is vacuumed by autovacuum, which lets
    index-only scans skip the table; a freshly bulk-loaded one is not vacuumed yet, so VACUUM
    ANALYZE is run here (outside a transaction). SQLite only needs ANALYZE.
    """
    while count_due_balances(datetime.now(UTC)):
        pass
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of the samples, nearest-rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[index]


ROOT = Path(__file__).resolve().parent.parent
CACHED_PATHS = ("/api/today", "/api/habits")  # read models the server keeps per user
HELLO = (
    "import sys\n"
    "from flask import Flask\n"
    "from waitress import serve\n"
    "app = Flask('hello')\n"
    "app.add_url_rule('/', 'hello', lambda: 'hello')\n"
    "serve(app, host='127.0.0.1', port=int(sys.argv[1]), threads=int(sys.argv[2]))\n"
)


def free_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it answers."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            requests.get(base, timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command} did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def add_token(user_id: int, n: int) -> str:
    """A personal API token for a bench client (no login throttle, no CSRF)."""
    secret = f"rpt_bench{n:04d}{uuid.uuid4().hex}"
    db.session.add(ApiToken(user_id=user_id, name="bench", token_hash=sha256_hex(secret),
                            prefix=secret[:12]))
    return secret


def log_body(contact_id: int) -> dict[str, Any]:
    """A log entry as the app's form sends it."""
    return {"occurred_at": datetime.now(UTC).isoformat(), "kind": "call",
            "contact_ids": [contact_id], "gave": [{"category": "advice", "note": "bench"}],
            "received": [], "notes": "bench"}


def timed(session: requests.Session, method: str, url: str, **kw: Any) -> tuple[float, int, bool]:
    """One request; (milliseconds, status, served from the server's answer cache)."""
    started = time.perf_counter()
    response = session.request(method, url, timeout=60, **kw)
    hit = response.headers.get("Cache-Status", "").endswith("; hit")
    return (time.perf_counter() - started) * 1000, response.status_code, hit


def hit_rate(hits: int, cacheable: int) -> float | None:
    """Share of the answers of the cached read models that were served from the cache."""
    return round(hits / cacheable, 3) if cacheable else None


def measure(session: requests.Session, method: str, url: str, runs: int,
            body: Any = None, before: Any = None) -> dict[str, float]:
    """`runs` sequential requests after a warm-up, each after `before()` if given (untimed);
    milliseconds."""
    samples, hits, cacheable = [], 0, 0
    for n in range(runs + 3):
        if before is not None:
            before()
        kw = {"json": body()} if callable(body) else {}
        target = url() if callable(url) else url
        ms, status, hit = timed(session, method, target, **kw)
        assert status < 300, (method, target, status)
        if n >= 3:
            samples.append(ms)
            hits += hit
            cacheable += method == "GET" and any(path in target for path in CACHED_PATHS)
    figures = {"p50_ms": round(statistics.median(samples), 2),
               "p95_ms": round(percentile(samples, 0.95), 2)}
    if cacheable:
        figures["cache_hit_rate"] = hit_rate(hits, cacheable)
    return figures


def mixed_request(tokens: list[tuple[str, list[int]]], rng: random.Random
                  ) -> tuple[str, str, dict[str, str], Any]:
    """One request of the mixed load: a random user's Today, Habits, search, timeline or log."""
    token, contacts = rng.choice(tokens)
    headers = {"Authorization": f"Bearer {token}"}
    roll = rng.random()
    if roll < 0.25:
        return "GET", "/api/today", headers, None
    if roll < 0.4:
        return "GET", "/api/habits?days=90", headers, None
    if roll < 0.6:
        return "GET", f"/api/contacts?q={rng.choice(FIRST).lower()}", headers, None
    if roll < 0.8:
        return "GET", f"/api/contacts/{rng.choice(contacts)}/timeline", headers, None
    return "PUT", f"/api/interactions/{uuid.uuid4()}", headers, log_body(rng.choice(contacts))


def node_for(bases: list[str], headers: dict[str, str], client: int) -> str:
    """The web process that answers: a user's requests always reach the same one (the load
    balancer's sticky routing, as the README's scale-out layout asks, since Today and Habits
    are cached per process); requests without a credential spread by client."""
    credential = headers.get("Authorization")
    key = zlib.crc32(credential.encode()) if credential else client
    return bases[key % len(bases)]


def load(bases: list[str], clients: int, seconds: float, pick: Any) -> dict[str, Any]:
    """`clients` threads sending `pick(rng) -> (method, path, headers, body)` for `seconds`
    to the web processes at `bases`."""
    samples: list[float] = []
    errors: list[int] = []
    cached: dict[str, list[int]] = {}  # path → [hits, answers that could have been cached]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        session = requests.Session()
        mine, bad, seen = [], [], {}
        while time.monotonic() < stop:
            method, path, headers, body = pick(rng)
            try:
                ms, status, hit = timed(session, method, node_for(bases, headers, n) + path,
                                        headers=headers, json=body)
            except requests.RequestException:
                bad.append(0)
                continue
            mine.append(ms)
            if status >= 400:
                bad.append(status)
            if method == "GET" and path.split("?")[0] in CACHED_PATHS:
                counts = seen.setdefault(path.split("?")[0], [0, 0])
                counts[0] += hit
                counts[1] += 1
        with lock:
            samples.extend(mine)
            errors.extend(bad)
            for path, (hits, total) in seen.items():
                mine_total = cached.setdefault(path, [0, 0])
                mine_total[0] += hits
                mine_total[1] += total

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests": len(samples), "requests_per_s": round(len(samples) / elapsed, 1),
            "p50_ms": round(statistics.median(samples), 2) if samples else None,
            "p95_ms": round(percentile(samples, 0.95), 2) if samples else None,
            "errors": len(errors), "error_statuses": sorted(set(errors)),
            "cache_hit_rate": {path: hit_rate(h, n) for path, (h, n) in sorted(cached.items())}}


def main() -> None:
    """Build the data set, start the servers, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--interactions", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (both servers)")
    parser.add_argument("--web", type=int, default=0,
                        help="web processes (default: 1 on SQLite, 2 on PostgreSQL)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    url = fresh_database(os.environ.get("RAPPORT_BENCH_DATABASE_URL"), tmp)
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_DATA_DIR": str(tmp),
           "RAPPORT_SECRET_KEY": "bench-secret-key", "PYTHONPATH": str(ROOT)}
    app = create_app(TestConfig(env))
    migrate_database(app)
    now = datetime.now(UTC)
    tokens: list[tuple[str, list[int]]] = []
    with app.app_context():
        started = time.perf_counter()
        shared_hash = hash_password(PASSWORD)
        uid = build_data(args.contacts, args.interactions, now, password_hash=shared_hash)
        others = [build_data(50, 200, now, seed=1000 + n, email=f"user{n}@example.com",
                             password_hash=shared_hash) for n in range(1, args.users)]
        settle(db.engine)
        build_seconds = time.perf_counter() - started
        busiest = db.session.scalar(text(
            "SELECT contact_id FROM interaction_contacts WHERE user_id = :u "
            "GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1"), {"u": uid})
        typical = db.session.scalar(text(
            "SELECT id FROM contacts WHERE user_id = :u ORDER BY id LIMIT 1 OFFSET :half"),
            {"u": uid, "half": args.contacts // 2})
        for n, user_id in enumerate([uid, *others]):
            contact_ids = list(db.session.scalars(text(
                "SELECT id FROM contacts WHERE user_id = :u ORDER BY id LIMIT 50"), {"u": user_id}))
            tokens.append((add_token(user_id, n), contact_ids))
        db.session.commit()
        db.engine.dispose()
    # The documented layouts: one `rapport serve` on SQLite (one writer); several web
    # processes on PostgreSQL. The hello-world floor runs as many processes as Rapport does.
    webs = args.web or (2 if url.startswith("postgresql") else 1)
    bases = [f"http://127.0.0.1:{free_port()}" for _ in range(webs)]
    hello_bases = [f"http://127.0.0.1:{free_port()}" for _ in range(webs)]
    base = bases[0]
    servers = [start([sys.executable, "-m", "server.cli", "serve", "--no-worker", "--port",
                      b.rsplit(":", 1)[1], "--threads", str(args.threads)], env, b + "/healthz")
               for b in bases]
    hellos = [start([sys.executable, "-c", HELLO, b.rsplit(":", 1)[1], str(args.threads)], env,
                    b + "/") for b in hello_bases]
    server = servers[0]
    try:
        time.sleep(1.0)
        memory = {"serve_idle_mb": rss_mb(server.pid), "hello_idle_mb": rss_mb(hellos[0].pid)}
        marks = create_engine(url)

        def moved() -> None:
            """What any write of the user does to the cache: the replan mark moves."""
            with marks.begin() as conn:
                conn.execute(text("UPDATE replan_marks SET version = version + 1 "
                                  "WHERE user_id = :u"), {"u": uid})

        big = requests.Session()
        big.headers["Authorization"] = f"Bearer {tokens[0][0]}"
        single = {
            "GET /api/auth/csrf (floor)": measure(big, "GET", base + "/api/auth/csrf", args.runs),
            "GET /api/today": measure(big, "GET", base + "/api/today", args.runs),
            "GET /api/habits": measure(big, "GET", base + "/api/habits?days=90", args.runs),
            # The screen's own request after a write: never from the cache, a rebuild.
            "GET /api/today (rebuilt)": measure(big, "GET", base + "/api/today", args.runs,
                                                before=moved),
            "GET /api/habits (rebuilt)": measure(big, "GET", base + "/api/habits?days=90",
                                                 args.runs, before=moved),
            "GET /api/contacts?q=": measure(big, "GET", base + "/api/contacts?q=ann%20b", args.runs),
            "GET timeline (busiest contact)": measure(
                big, "GET", base + f"/api/contacts/{busiest}/timeline", args.runs),
            "GET timeline (typical contact)": measure(
                big, "GET", base + f"/api/contacts/{typical}/timeline", args.runs),
            "PUT /api/interactions/<uuid>": measure(
                big, "PUT", lambda: base + f"/api/interactions/{uuid.uuid4()}", args.runs,
                body=lambda: log_body(typical)),
        }
        floor = single["GET /api/auth/csrf (floor)"]["p95_ms"]
        for figures in single.values():
            figures["p95_vs_csrf"] = round(figures["p95_ms"] / floor, 1)
            figures["p95_within_50ms"] = figures["p95_ms"] <= 50.0

        mixed = load(bases, args.clients, args.seconds, partial(mixed_request, tokens))
        floor_load = load(hello_bases, args.clients, args.seconds / 2,
                          lambda rng: ("GET", "/", {}, None))
        # Rapport's own floor: its most trivial authenticated route under the same clients
        # (token lookup, session, JSON): what any request costs before it does any work.
        app_floor_load = load(bases, args.clients, args.seconds / 2, lambda rng: (
            "GET", "/api/auth/csrf", {"Authorization": f"Bearer {rng.choice(tokens)[0]}"}, None))
        memory["serve_after_load_mb"] = max(rss_mb(proc.pid) for proc in servers)
    finally:
        for proc in (*servers, *hellos):
            proc.terminate()
            proc.wait(timeout=30)
    mixed["vs_hello_floor"] = round(mixed["requests_per_s"] / floor_load["requests_per_s"], 3)
    mixed["vs_app_floor"] = round(mixed["requests_per_s"] / app_floor_load["requests_per_s"], 3)
    app_floor_load["vs_hello_floor"] = round(
        app_floor_load["requests_per_s"] / floor_load["requests_per_s"], 3)
    print(json.dumps({
        "bench": "api",
        "database": url.split(":", 1)[0].split("+")[0],
        "contacts": args.contacts,
        "interactions": args.interactions,
        "users": args.users,
        "clients": args.clients,
        "web_processes": webs,
        "build_seconds": round(build_seconds, 1),
        "single_client": single,
        "mixed_load": mixed,
        "hello_floor_load": floor_load,
        "app_floor_load": app_floor_load,
        "memory": memory,
    }))


if __name__ == "__main__":
    main()
