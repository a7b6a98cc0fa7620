"""The documented several-process layout on one machine, loaded at once by the API and a burst.

Two `rapport serve --no-worker` web processes (throttles in Redis) and three `rapport worker`
processes share one PostgreSQL database, all started at the same moment. N users each have
contacts, logs, a push device and a meeting that ends a few seconds after the processes are
up, so the workers deliver N prompts while 16 clients send mixed reads and logs to both web
processes. Prints JSON: the API's rate, p95 and errors; prompts delivered (each once?) and
their lateness; the CPU each kind of process used, as a share of the machine, which names the
next bottleneck; and from those figures, how many users one machine serves under the stated
assumptions of peak load.

    python bench/bench_cluster.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/rapport_bench
        [--users 1000] [--web 2] [--workers 3] [--seconds 30] [--redis redis://127.0.0.1:6379/3]

The database is emptied first (its public schema is dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from bench_api import (  # noqa: E402
    PASSWORD,
    add_token,
    build_data,
    free_port,
    load,
    mixed_request,
    settle,
)
from bench_delivery import AUTH, NO_QUIET, P256DH, acceptor_stats, percentile, start_acceptor  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from server import create_app  # noqa: E402
from server.auth import hash_password  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.models import Contact, User  # noqa: E402
from server.models.calendars import Calendar, Meeting, MeetingAttendee  # noqa: E402
from server.models.push import Notification, PushSubscription  # noqa: E402
from server.reminders.planning import plan_all  # noqa: E402
from server.reminders.registry import all_kinds  # noqa: E402

START_SECONDS = 10  # prompts fall due this long after the processes are launched

# Assumptions behind "users per machine" (stated in the output):
PEAK_MEETING_SHARE = 0.10  # a tenth of users have a meeting ending in the same minute
PROMPT_P99_BUDGET_S = 30.0  # the target: every such prompt within 30 s
PEAK_REQUESTS_PER_USER_HOUR = 60  # an active user's busiest hour: Today, people, logs


def clock_ticks(pid: int) -> int:
    """User + system CPU of a process so far, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def named_pids(name: str) -> list[int]:
    """Processes whose command is `name` (the database and Redis servers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_of(groups: dict[str, list[int]]) -> dict[str, int]:
    """CPU ticks per group of processes (those that have gone count as 0)."""
    total = {}
    for group, pids in groups.items():
        ticks = 0
        for pid in pids:
            try:
                ticks += clock_ticks(pid)
            except OSError:
                continue
        total[group] = ticks
    return total


def wait_until_up(url: str) -> None:
    """Wait until a started web process answers."""
    for _ in range(600):
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def set_up(app: Any, users: int, push_url: str, ends: datetime) -> list[tuple[str, list[int]]]:
    """Users with contacts and logs, a device, and a meeting ending at `ends`; their tokens."""
    now = datetime.now(UTC)
    tokens = []
    with app.app_context():
        shared_hash = hash_password(PASSWORD)
        for n in range(users):
            uid = build_data(50, 200, now, seed=n, email=f"user{n}@example.com",
                             password_hash=shared_hash)
            contacts = list(db.session.scalars(
                select(Contact.id).where(Contact.user_id == uid).order_by(Contact.id)))
            tokens.append((add_token(uid, n), contacts))
            if n % 100 == 99:
                settle(db.engine)  # fresh statistics, as autovacuum would keep them
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        # Only the meeting prompts push, so one copy per device means every prompt once.
        only_meetings = {kind.setting: kind.name == "meeting" for kind in all_kinds() if kind.setting}
        db.session.execute(update(User).values(settings={**NO_QUIET, **only_meetings},
                                               timezone="UTC"))
        db.session.execute(insert(PushSubscription), [
            {"user_id": uid, "endpoint": f"{push_url}/push/d{uid}", "p256dh": P256DH,
             "auth": AUTH, "user_agent": "bench", "failure_count": 0, "last_error": ""}
            for uid in user_ids])
        calendars = db.session.execute(insert(Calendar).returning(Calendar.id, Calendar.user_id), [
            {"user_id": uid, "name": "Work", "source": "upload",
             "next_sync_at": ends + timedelta(days=365), "failure_count": 0, "warnings": [],
             "owner_emails": [], "meeting_count": 1} for uid in user_ids]).all()
        meetings = db.session.execute(insert(Meeting).returning(Meeting.id, Meeting.user_id), [
            {"user_id": uid, "calendar_id": cid, "uid": f"bench-{uid}", "title": "Lunch",
             "start_at": ends - timedelta(minutes=30), "end_at": ends, "status": "confirmed",
             "has_others": True, "all_day": False} for cid, uid in calendars]).all()
        db.session.execute(insert(MeetingAttendee), [
            {"user_id": uid, "meeting_id": mid, "email": f"friend{uid}@example.org",
             "name": "A Friend"} for mid, uid in meetings])
        db.session.commit()
        settle(db.engine)
        plan_all(datetime.now(UTC), app.config["BASE_URL"])  # as an earlier pass would have
        db.session.commit()
    return tokens


def main() -> None:
    """Set up, start every process at once, load, measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-cluster-"))
    fresh_database(args.database_url, tmp)
    env = {**os.environ, "RAPPORT_DATABASE_URL": args.database_url, "RAPPORT_DATA_DIR": str(tmp),
           "RAPPORT_SECRET_KEY": "bench-cluster-secret", "RAPPORT_ALLOW_PRIVATE_URLS": "1",
           "RAPPORT_RATELIMIT_STORAGE_URI": args.redis, "PYTHONPATH": str(ROOT)}
    app = create_app(Config(env))
    migrate_database(app)
    acceptor, push_url = start_acceptor(tmp)
    started_setup = time.perf_counter()
    ends = datetime.now(UTC) + timedelta(minutes=30)  # re-timed below, once every process is up
    tokens = set_up(app, args.users, push_url, ends)
    setup_s = time.perf_counter() - started_setup
    ports = [free_port() for _ in range(args.web)]
    procs: dict[str, list[subprocess.Popen[bytes]]] = {"web": [], "worker": []}
    # The meetings end (and their prompts fall due) just after the processes are started.
    due = datetime.now(UTC) + timedelta(seconds=START_SECONDS)
    with app.app_context():
        db.session.execute(update(Meeting).values(end_at=due))
        db.session.execute(update(Notification).where(Notification.kind == "meeting").values(
            due_at=due, scheduled_for=due, expires_at=due + timedelta(hours=6)))
        db.session.commit()
    try:
        launched = time.perf_counter()
        for port in ports:
            procs["web"].append(subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--no-worker", "--port", str(port)],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(args.workers):
            procs["worker"].append(subprocess.Popen(
                [sys.executable, "-m", "server.cli", "worker"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}/healthz")
        up_s = time.perf_counter() - launched
        groups = {"web": [p.pid for p in procs["web"]], "worker": [p.pid for p in procs["worker"]],
                  "postgres": named_pids("postgres"), "redis": named_pids("redis-server"),
                  "push acceptor": [acceptor.pid], "load clients": [os.getpid()]}
        before, wall = cpu_of(groups), time.perf_counter()
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        api = load(bases, args.clients, args.seconds, partial(mixed_request, tokens))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and acceptor_stats(push_url)["devices"] < args.users:
            time.sleep(0.5)
        groups["postgres"] = sorted(set(groups["postgres"]) | set(named_pids("postgres")))
        after, elapsed = cpu_of(groups), time.perf_counter() - wall
        stats = acceptor_stats(push_url)
        with app.app_context():
            rows = db.session.execute(select(Notification.due_at, Notification.sent_at).where(
                Notification.kind == "meeting", Notification.state == "sent")).all()
    finally:
        for proc in [*procs["web"], *procs["worker"]]:
            proc.terminate()
        for proc in [*procs["web"], *procs["worker"]]:
            proc.wait(timeout=30)
        acceptor.kill()
        acceptor.wait()
    hz = os.sysconf("SC_CLK_TCK")
    cores = os.cpu_count() or 1
    share = {g: round((after[g] - before[g]) / hz / elapsed / cores, 3) for g in groups}
    late = sorted((r.sent_at - r.due_at).total_seconds() for r in rows)
    span = max(late) if late else float("nan")
    push_rate = len(late) / span if late and span > 0 else 0.0
    by_push = push_rate * PROMPT_P99_BUDGET_S / PEAK_MEETING_SHARE
    by_api = api["requests_per_s"] * 3600 / PEAK_REQUESTS_PER_USER_HOUR
    busiest = max((g for g in share if g != "load clients"), key=lambda g: share[g])
    print(json.dumps({
        "bench": "cluster",
        "layout": f"{args.web} web + {args.workers} workers, PostgreSQL, Redis, one machine",
        "users": args.users,
        "setup_s": round(setup_s, 1),
        "processes_up_s": round(up_s, 1),
        "api": api,
        "prompts": {"planned": args.users, "delivered": stats["devices"],
                    "max_copies_per_device": stats["max_copies"],
                    "pushes_per_s": round(push_rate, 1),
                    "lateness_p50_s": round(statistics.median(late), 2) if late else None,
                    "lateness_p99_s": round(percentile(late, 99), 2) if late else None},
        "cpu_share_of_machine": share,
        "next_bottleneck": busiest,
        "assumptions": {"peak_meeting_share": PEAK_MEETING_SHARE,
                        "prompt_p99_budget_s": PROMPT_P99_BUDGET_S,
                        "peak_requests_per_user_hour": PEAK_REQUESTS_PER_USER_HOUR},
        "users_per_machine": {"by_prompt_burst": int(by_push), "by_api": int(by_api),
                              "served": int(min(by_push, by_api))},
    }))


if __name__ == "__main__":
    main()
