"""Ten thousand prompts due in the same minute: delivery throughput, lateness, CPU per push.

Sets up N users, each with one push device and a meeting ending at the same moment, plans the
prompts with the real planner, then runs K delivery worker processes (the real `deliver_due`
with the real send-time rules, on SQLite or PostgreSQL) against a push acceptor in another
process, and prints JSON figures beside floors measured in the same run:

- `webpush_floor_per_s`: plain pywebpush `webpush()` calls, one after another, same acceptor;
- `send_only_*`: Rapport's own `send_push` alone, one after another (CPU per push);
- `send_pool_only_*`: the same sends through delivery's concurrent pool, no database: the
  ceiling of one worker process with this send path;
- `encrypt_only_per_s`: the aes128gcm encryption alone.

Planning is timed on its own (`planning_s`) and kept out of the delivery figures: the rows are
planned first (by the real planning pass with `--planner`, else written through the outbox as
that pass would write them) and then re-timed to fall due a few seconds after the workers are
up.

    python bench/bench_delivery.py [--users 10000] [--workers 1] [--database-url URL]

A PostgreSQL `--database-url` is emptied first (its public schema is dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.models import User, utcnow  # noqa: E402
from server.models.calendars import Calendar, Meeting, MeetingAttendee  # noqa: E402
from server.models.push import Notification, PushSubscription  # noqa: E402

NO_QUIET = {"prompt_delay_minutes": 0, "quiet_hours_start": "00:00", "quiet_hours_end": "00:00"}
# One device key pair for every bench device: the acceptor does not decrypt.
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def start_acceptor(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The push acceptor in its own process; returns it and its base URL."""
    port_file = tmp / f"acceptor-{time.monotonic_ns()}"
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "push_acceptor.py"),
                             str(port_file)])
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    raise RuntimeError("the push acceptor did not start")


def acceptor_stats(url: str) -> dict[str, int]:
    """What the acceptor counted."""
    return requests.get(f"{url}/stats", timeout=10).json()


def make_app(url: str, data: Path) -> Any:
    """An app on the bench database with development URLs allowed (loopback push)."""
    return create_app(Config({"RAPPORT_DATA_DIR": str(data), "RAPPORT_DATABASE_URL": url,
                              "RAPPORT_ALLOW_PRIVATE_URLS": "1"}))


def set_up(app: Any, users: int, push_url: str) -> None:
    """N users, each with a device, a calendar and a meeting with one other person."""
    end = utcnow() + timedelta(hours=1)
    with app.app_context():
        for first in range(0, users, 1000):
            ids = range(first, min(first + 1000, users))
            user_ids = db.session.execute(insert(User).returning(User.id), [
                {"email": f"u{n}@example.org", "password_hash": "-", "name": f"User {n}",
                 "timezone": "UTC", "settings": NO_QUIET} for n in ids]).scalars().all()
            db.session.execute(insert(PushSubscription), [
                {"user_id": uid, "endpoint": f"{push_url}/push/d{uid}", "p256dh": P256DH,
                 "auth": AUTH, "user_agent": "bench", "failure_count": 0, "last_error": ""}
                for uid in user_ids])
            cal_ids = db.session.execute(insert(Calendar).returning(Calendar.id), [
                {"user_id": uid, "name": "Work", "source": "upload",
                 "next_sync_at": end + timedelta(days=365), "failure_count": 0,
                 "warnings": [], "owner_emails": [], "meeting_count": 1} for uid in user_ids
            ]).scalars().all()
            meeting_ids = db.session.execute(insert(Meeting).returning(Meeting.id), [
                {"user_id": uid, "calendar_id": cid, "uid": f"bench-{uid}", "title": "Lunch",
                 "start_at": end - timedelta(minutes=30), "end_at": end, "status": "confirmed",
                 "has_others": True, "all_day": False}
                for uid, cid in zip(user_ids, cal_ids, strict=True)]).scalars().all()
            db.session.execute(insert(MeetingAttendee), [
                {"user_id": uid, "meeting_id": mid, "email": f"friend{uid}@example.org",
                 "name": "A Friend"} for uid, mid in zip(user_ids, meeting_ids, strict=True)])
            db.session.commit()


def plan(app: Any, planner: bool) -> float:
    """Plan every prompt; returns the wall time.

    With `planner`, the real planning pass over every user; otherwise the rows that pass would
    write (same key, kind, subject and payload), saved through the outbox in chunks.
    """
    from server.push.outbox import Planned, save_planned
    from server.push.payload import build_payload, tag_for
    from server.reminders.planning import plan_all

    with app.app_context():
        started = time.perf_counter()
        if planner:
            plan_all(utcnow(), app.config["BASE_URL"])
            return time.perf_counter() - started
        meetings = db.session.execute(select(Meeting.id, Meeting.user_id, Meeting.end_at)).all()
        for first in range(0, len(meetings), 1000):
            items = [Planned(
                key=f"meeting:{m.id}", user_id=m.user_id, kind="meeting", subject_id=m.id,
                due_at=m.end_at, expires_at=m.end_at + timedelta(hours=6),
                payload=build_payload(kind="meeting", title="Lunch just ended",
                                      body="What did you give, what did you get?",
                                      url=f"/log?meeting={m.id}", tag=tag_for(f"meeting:{m.id}"),
                                      base_url=app.config["BASE_URL"]))
                for m in meetings[first:first + 1000]]
            save_planned(items, utcnow())
            db.session.commit()
        return time.perf_counter() - started


def retime(app: Any, due: Any) -> int:
    """Every prompt (and its meeting) moved to end at `due`; returns the number of prompts."""
    with app.app_context():
        db.session.execute(update(Meeting).values(end_at=due))
        db.session.execute(update(Notification).values(
            due_at=due, scheduled_for=due, expires_at=due + timedelta(hours=6)))
        db.session.commit()
        return int(db.session.scalar(select(func.count()).select_from(Notification)) or 0)


def floors(app: Any, push_url: str, count: int) -> dict[str, float]:
    """The floors, each over `count` messages."""
    from pywebpush import webpush

    from server.push.dispatch import Job, dispatch
    from server.push.sender import encrypt, send_push
    from server.push.vapid import vapid_signer

    pem = app.config["VAPID_PRIVATE_KEY"]
    data = json.dumps({"title": "Lunch just ended", "body": "What did you give?"}).encode()
    sub = {"endpoint": f"{push_url}/push/floor", "keys": {"p256dh": P256DH, "auth": AUTH}}
    session = requests.Session()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        webpush(sub, data.decode(), vapid_private_key=vapid_signer(pem),
                vapid_claims={"sub": "mailto:bench@example.org"}, ttl=600,
                requests_session=session, timeout=10)
    webpush_rate = count / (time.perf_counter() - started)
    webpush_cpu = time.process_time() - cpu
    from server.outbound import guarded_poster

    guarded = guarded_poster(allow_private=True)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        send_push(sub, data, vapid_private_pem=pem, subject="mailto:bench@example.org",
                  session=guarded, topic="floor", ttl=600)
    send_wall, send_cpu = time.perf_counter() - started, time.process_time() - cpu
    # The same sends through delivery's own concurrent pool, with no database at all: the most
    # one worker process can send with this send path.
    jobs = [Job(group=n, ref=n, origin="floor", send=partial(
        send_push, sub, data, vapid_private_pem=pem, subject="mailto:bench@example.org",
        session=guarded, topic="floor", ttl=600)) for n in range(count)]
    started, cpu = time.perf_counter(), time.process_time()
    dispatch(jobs, closed={}, clock=utcnow, renew=set, renew_every=60.0)
    pool_wall, pool_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    for _ in range(count):
        encrypt(sub, data)
    encrypt_rate = count / (time.perf_counter() - started)
    return {"webpush_floor_per_s": round(webpush_rate, 1),
            "webpush_floor_cpu_ms_per_push": round(1000 * webpush_cpu / count, 3),
            "send_only_per_s": round(count / send_wall, 1),
            "send_only_cpu_ms_per_push": round(1000 * send_cpu / count, 3),
            "send_pool_only_per_s": round(count / pool_wall, 1),
            "send_pool_only_cpu_ms_per_push": round(1000 * pool_cpu / count, 3),
            "encrypt_only_per_s": round(encrypt_rate, 1)}


def run_workers(count: int, url: str, data: Path, due: Any) -> tuple[float, dict[str, int]]:
    """K delivery worker processes until every prompt is settled; returns their CPU seconds
    and the SQL statements, commits, CPU and main-thread CPU of their delivery passes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "RAPPORT_DATA_DIR": str(data), "RAPPORT_DATABASE_URL": url,
           "RAPPORT_ALLOW_PRIVATE_URLS": "1", "PYTHONPATH": str(ROOT)}
    counts = [data / f"worker-{n}.json" for n in range(count)]
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", "--due", due.isoformat(),
                               "--counts", str(path)], env=env) for path in counts]
    for proc in procs:
        proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals = {"statements": 0, "commits": 0, "main_thread_cpu_us": 0, "delivery_cpu_us": 0}
    for path in counts:
        for name, value in json.loads(path.read_text()).items():
            totals[name] += value
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), totals


def worker(due_iso: str, counts_path: str) -> None:
    """One delivery worker: wait for the due time, deliver until nothing is pending; writes
    the SQL statements, commits, CPU and main-thread CPU of its delivery passes to
    `counts_path`."""
    from datetime import datetime

    from sqlalchemy import event

    from server.push.delivery import deliver_due, push_context_from_app, worker_id
    from server.reminders.planning import delivery_rules

    due = datetime.fromisoformat(due_iso)
    app = create_app(Config(dict(os.environ)))
    counts = {"statements": 0, "commits": 0, "main_thread_cpu_us": 0, "delivery_cpu_us": 0}
    counting = [False]

    def statement(*_: Any) -> None:
        counts["statements"] += counting[0]

    def commit(*_: Any) -> None:
        counts["commits"] += counting[0]

    with app.app_context():
        ctx, owner, rules = push_context_from_app(app), worker_id(), delivery_rules()
        event.listen(db.engine, "before_cursor_execute", statement)
        event.listen(db.engine, "commit", commit)
        db.session.rollback()
        while utcnow() < due:
            time.sleep(0.01)
        while True:
            counting[0] = True
            started, process = time.thread_time(), time.process_time()
            deliver_due(ctx, utcnow(), owner, rules=rules)
            counts["main_thread_cpu_us"] += round(1e6 * (time.thread_time() - started))
            counts["delivery_cpu_us"] += round(1e6 * (time.process_time() - process))
            counting[0] = False  # the bench's own "anything left?" poll is not delivery
            left = db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.state == "pending"))
            db.session.rollback()
            if not left:
                break
            time.sleep(0.05)
    Path(counts_path).write_text(json.dumps(counts))


def main() -> None:
    """Set up, measure the floors, run the workers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--floor-count", type=int, default=500)
    parser.add_argument("--planner", action="store_true",
                        help="plan with the real planning pass (slow at 10,000 users)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--due", help=argparse.SUPPRESS)
    parser.add_argument("--counts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.due, args.counts)
        return
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-delivery-"))
    url = fresh_database(args.database_url, tmp)
    from server.cli import migrate_database

    app = make_app(url, tmp)
    migrate_database(app)
    acceptor, push_url = start_acceptor(tmp)
    floor_acceptor, floor_url = start_acceptor(tmp)
    try:
        set_up(app, args.users, push_url)
        planning = plan(app, args.planner)
        figures = floors(app, floor_url, args.floor_count)
        due = utcnow() + timedelta(seconds=4)  # the workers are up and waiting by then
        planned = retime(app, due)
        cpu, sql = run_workers(args.workers, url, tmp, due)
        stats = acceptor_stats(push_url)
        with app.app_context():
            rows = db.session.execute(select(Notification.state, Notification.due_at,
                                             Notification.sent_at)).all()
    finally:
        acceptor.kill()
        floor_acceptor.kill()
        acceptor.wait()
        floor_acceptor.wait()
    late = [(r.sent_at - r.due_at).total_seconds() for r in rows if r.state == "sent"]
    span = max(late) if late else float("nan")
    figures = {
        "bench": "delivery",
        "database": url.split(":")[0].split("+")[0],
        "users": args.users,
        "workers": args.workers,
        "planned": planned,
        "sent": len(late),
        "not_sent": len(rows) - len(late),
        "accepted": stats["total"],
        "devices_reached": stats["devices"],
        "max_copies_per_device": stats["max_copies"],
        "pushes_per_s": round(len(late) / span, 1) if late and span > 0 else None,
        "lateness_p50_s": round(statistics.median(late), 2) if late else None,
        "lateness_p99_s": round(percentile(late, 99), 2) if late else None,
        "worker_cpu_ms_per_push": round(1000 * cpu / max(len(late), 1), 3),
        "sql_statements_per_push": round(sql["statements"] / max(len(late), 1), 3),
        "commits_per_push": round(sql["commits"] / max(len(late), 1), 3),
        # The workers' CPU inside their delivery passes (start-up and idle polls left out), and
        # that of their main threads: claiming, send-time rules, recording (not the sends).
        "delivery_cpu_ms_per_push": round(sql["delivery_cpu_us"] / 1000 / max(len(late), 1), 3),
        "main_thread_cpu_ms_per_push": round(sql["main_thread_cpu_us"] / 1000 / max(len(late), 1),
                                             3),
        # On a shared machine the wall-clock rate is bounded by the CPU the workers were given:
        # pushes per CPU-second is the rate of one worker on a core of its own.
        "worker_cpu_share": round(cpu / span, 2) if late and span > 0 else None,
        "pushes_per_cpu_s": round(len(late) / cpu, 1) if cpu else None,
        "planning_s": round(planning, 2),
        "planned_by": "planner" if args.planner else "outbox",
        **figures,
    }
    figures["cpu_vs_send_only"] = round(
        figures["worker_cpu_ms_per_push"] / figures["send_only_cpu_ms_per_push"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
