"""Calendar sync throughput: N new calendars fetched, parsed, planned and their prompts delivered.

N users each add a calendar (a loopback feed of ~40 events, one meeting of which has just
ended) at the same moment; the real worker loop (the calendar threads with the parser pool,
planning, delivery) runs until the loopback push service has every prompt. The floor, measured
in the same run, is one feed's fetch and parse alone (warm pool) × N / the number of parser
children: what perfect parallel parsing would cost. Prints JSON. Usage:

    python bench/bench_calendar_sync.py [--calendars 150] [--database-url URL]
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from server import create_app  # noqa: E402
from server.calendars.fetch import fetch_feed  # noqa: E402
from server.calendars.pool import shared_pool  # noqa: E402
from server.calendars.service import add_url_calendar  # noqa: E402
from server.calendars.store import sync_window  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.keys import vapid_public_key  # noqa: E402
from server.models import User, utcnow  # noqa: E402
from server.models.calendars import Calendar  # noqa: E402
from server.models.push import PushSubscription  # noqa: E402
from server.worker import run_forever  # noqa: E402
from tests.calendars.feedserver import FeedServer, Route  # noqa: E402
from tests.push_service import PushService  # noqa: E402

STAMP = "%Y%m%dT%H%M%SZ"
TARGET_SECONDS = 60.0


def feed_body(n: int, now: datetime) -> bytes:
    """A realistic small feed: a weekly series, a daily stand-up, single meetings, one just ended."""
    ended = now - timedelta(minutes=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", f"X-WR-CALNAME:Work {n}"]

    def event(uid: str, start: datetime, extra: list[str]) -> None:
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{now.strftime(STAMP)}",
                      f"DTSTART:{start.strftime(STAMP)}",
                      f"DTEND:{(start + timedelta(minutes=30)).strftime(STAMP)}",
                      f"SUMMARY:Meeting {uid}", f"ORGANIZER:mailto:user{n}@example.org",
                      f"ATTENDEE;CN=Guest {n};PARTSTAT=ACCEPTED:mailto:guest{n}@example.org",
                      *extra, "END:VEVENT"])

    event(f"ended-{n}", ended - timedelta(minutes=30), [])
    event(f"weekly-{n}", now - timedelta(days=400, hours=-8), ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE"])
    event(f"daily-{n}", now - timedelta(days=30, hours=-6), ["RRULE:FREQ=DAILY;COUNT=60"])
    for k in range(36):
        event(f"one-{n}-{k}", now + timedelta(days=k % 14, hours=k % 9 + 1), [])
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def measure_floor(app: Any, url: str, calendars: int) -> dict[str, float]:
    """One feed's fetch + parse alone, warm, as the median of five; and the parallel floor."""
    pool = shared_pool(int(app.config["CALENDAR_PARSERS"]))
    start, end = sync_window(utcnow())
    singles = []
    for attempt in range(6):
        began = time.perf_counter()
        body = fetch_feed(url, allow_private=True).body
        pool.parse(body, start, end, "UTC")
        if attempt:  # the first one starts the child
            singles.append(time.perf_counter() - began)
    one = statistics.median(singles)
    return {"one_feed_seconds": round(one, 4),
            "floor_seconds": round(one * calendars / pool.size, 3),
            "parser_children": pool.size}


def run_bench(calendars: int, database_url: str | None = None) -> dict[str, Any]:
    """Set up, run the worker until every prompt arrived, return the figures."""
    data = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    env = {
        "RAPPORT_DATA_DIR": str(data),
        "RAPPORT_ALLOW_PRIVATE_URLS": "1",
        "RAPPORT_DATABASE_URL": fresh_database(database_url, data),
    }
    app = create_app(Config(env))
    migrate_database(app)
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    feeds = FeedServer().start()
    now = utcnow()
    for n in range(calendars):
        feeds.routes[f"/feed/{n}.ics"] = Route(body=feed_body(n, now))
    with app.app_context():
        floor = measure_floor(app, feeds.url("/feed/0.ics"), calendars)
        users = []
        for n in range(calendars):
            user = User(email=f"user{n}@example.org", password_hash="-", name=f"User {n}",
                        timezone="UTC", settings={"prompt_delay_minutes": 0,
                                                  "quiet_hours_start": "00:00",
                                                  "quiet_hours_end": "00:00"})
            db.session.add(user)
            users.append(user)
        db.session.flush()
        for n, user in enumerate(users):
            sub = service.new_subscription(f"bench-{n}")
            db.session.add(PushSubscription(user_id=user.id, endpoint=sub["endpoint"],
                                            p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"]))
        db.session.commit()
        started = time.time()
        for n, user in enumerate(users):
            add_url_calendar(user, f"Work {n}", feeds.url(f"/feed/{n}.ics"), utcnow(), True,
                             app.config["SECRET_KEY"])
        db.session.commit()
    stop = threading.Event()
    loop = threading.Thread(target=run_forever, args=(app,), kwargs={"stop": stop}, daemon=True)
    loop.start()
    service.wait_for(calendars, timeout=600)
    stop.set()
    loop.join(timeout=120)
    accepted = service.accepted()
    feeds.close()
    service.stop()
    finished = max((m.at for m in accepted), default=time.time())
    with app.app_context():
        synced = db.session.scalars(select(func.max(Calendar.last_synced_at))).one()
        failed = db.session.scalar(select(func.count()).where(Calendar.last_error.is_not(None)))
    return {
        "benchmark": "calendar_sync",
        "database": "postgresql" if "postgresql" in env["RAPPORT_DATABASE_URL"] else "sqlite",
        "calendars": calendars,
        "prompts_delivered": len({m.topic for m in accepted}),
        "duplicates": len(accepted) - len({m.topic for m in accepted}),
        "seconds": round(finished - started, 3),
        "all_synced_seconds": round(synced.timestamp() - started, 3) if synced else None,
        "calendars_failed": failed,
        "target_seconds": TARGET_SECONDS,
        "fetch_workers": app.config["CALENDAR_FETCH_WORKERS"],
        "worker_tick_seconds": app.config["WORKER_TICK_SECONDS"],
        **floor,
    }


def main() -> None:
    """Parse arguments, run, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calendars", type=int, default=150)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(json.dumps(run_bench(args.calendars, args.database_url), indent=2), flush=True)
    faulthandler.dump_traceback_later(60, exit=True)  # never hang at exit: say where instead


if __name__ == "__main__":
    main()
