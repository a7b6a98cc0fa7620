"""Benchmark the read API on a big account: 5,000 contacts and 50,000 interactions.

Builds the data with bulk inserts, then times each endpoint in-process (Flask test client,
so no network) and prints JSON with p50/p95 in milliseconds beside a floor (GET /healthz)
measured in the same run. After the bulk load the database is brought to the state a live
one is in: ANALYZE on SQLite; VACUUM ANALYZE on PostgreSQL, as autovacuum would have done,
so index-only scans work as they do in production.

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
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.auth import hash_password  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import TestConfig  # noqa: E402
from server.extensions import db  # noqa: E402
from server.logbook.interactions import refresh_last_seen  # noqa: E402
from server.models import Contact, User  # noqa: E402
from server.models.interactions import (  # noqa: E402
    GIVE_TAKE_CATEGORIES,
    INTERACTION_KINDS,
    Challenge,
    GiveTakeItem,
    Interaction,
    InteractionContact,
    Win,
)

PASSWORD = "bench password 123"
KINDS = ["mentor", "mentee", "client", "peer", "friend", "other", "other", "other"]
FIRST = ["Ann", "Tom", "Raj", "Maya", "Lee", "Sam", "Ivy", "Omar", "Zoe", "Ben", "Ada", "Kai"]
LAST = ["Baker", "Singh", "Okafor", "Lee", "Garcia", "Novak", "Smith", "Ito", "Khan", "Berg"]


def reset_postgres(url: str) -> None:
    """Start from an empty schema."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_data(n_contacts: int, n_interactions: int, now: datetime, seed: int = 7) -> int:
    """Insert one user with the given volume of contacts and log; returns the user id."""
    rng = random.Random(seed)
    user = User(email="bench@example.com", password_hash=hash_password(PASSWORD), name="Bench",
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
    settle(db.engine)
    return uid


def settle(engine: Any) -> None:
    """Bring the statistics (and, on PostgreSQL, the visibility map) up to date after the load.

    A live PostgreSQL database is vacuumed by autovacuum, which lets index-only scans skip
    the table; a freshly bulk-loaded one is not vacuumed yet, so VACUUM ANALYZE is run here
    (outside a transaction). SQLite only needs ANALYZE.
    """
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


def measure(client: Any, url: str, runs: int, warmup: int = 3) -> dict[str, float]:
    """Time `runs` GETs of `url` (after a warm-up); milliseconds."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get_data()[:300])
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


def main() -> None:
    """Build the data set, time the endpoints, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--interactions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    url = os.environ.get("RAPPORT_BENCH_DATABASE_URL")
    if url:
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    config = TestConfig({**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_DATA_DIR": str(tmp),
                         "RAPPORT_SECRET_KEY": "bench-secret-key"})
    app = create_app(config)
    migrate_database(app)
    now = datetime.now(UTC)
    with app.app_context():
        started = time.perf_counter()
        uid = build_data(args.contacts, args.interactions, now)
        build_seconds = time.perf_counter() - started
        busiest = db.session.scalar(text(
            "SELECT contact_id FROM interaction_contacts WHERE user_id = :u "
            "GROUP BY contact_id ORDER BY count(*) DESC LIMIT 1"), {"u": uid})
        typical = db.session.scalar(text(
            "SELECT id FROM contacts WHERE user_id = :u ORDER BY id LIMIT 1 OFFSET 2500"), {"u": uid})
    client = app.test_client()
    token = client.get("/api/auth/csrf").get_json()["csrf_token"]
    response = client.post("/api/auth/login", headers={"X-CSRFToken": token},
                           json={"email": "bench@example.com", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    urls = {
        "GET /healthz (floor)": "/healthz",
        "GET /api/auth/me (API floor)": "/api/auth/me",
        "GET /api/today": "/api/today",
        "GET /api/habits": "/api/habits?days=90",
        "GET /api/contacts page 1": "/api/contacts",
        "GET /api/contacts search": "/api/contacts?q=ann%20b",
        "GET /api/contacts overdue": "/api/contacts?overdue=1",
        "GET /api/interactions": "/api/interactions",
        "GET /api/interactions?contact_id (busiest)": f"/api/interactions?contact_id={busiest}",
        "GET timeline (busiest contact)": f"/api/contacts/{busiest}/timeline",
        "GET timeline (typical contact)": f"/api/contacts/{typical}/timeline",
    }
    results = {name: measure(client, path, args.runs) for name, path in urls.items()}
    # Ratios against the cheapest signed-in API call measured in this same run, so figures
    # from a busy machine and a quiet one can be compared.
    floor = results["GET /api/auth/me (API floor)"]["p50_ms"]
    for figures in results.values():
        figures["p50_vs_api_floor"] = round(figures["p50_ms"] / floor, 1)
        figures["p95_within_50ms"] = figures["p95_ms"] <= 50.0
    print(json.dumps({
        "database": url.split(":", 1)[0],
        "contacts": args.contacts,
        "interactions": args.interactions,
        "build_seconds": round(build_seconds, 1),
        "runs_per_endpoint": args.runs,
        "results": results,
    }, indent=2))


if __name__ == "__main__":
    main()
