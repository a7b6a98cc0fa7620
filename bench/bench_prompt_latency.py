"""How long after its due time a post-meeting prompt reaches the push service.

Runs the real worker loop (calendar sync, planning, delivery) against a local decrypting push
service for N users, each with a device and meetings ending within the same minute, and prints
JSON figures (p50/p99 of lateness). Usage:

    python bench/bench_prompt_latency.py [--users 200] [--meetings 1] [--tick 15] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from server import create_app  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.keys import vapid_public_key  # noqa: E402
from server.models import User, utcnow  # noqa: E402
from server.models.calendars import Calendar, Meeting, MeetingAttendee  # noqa: E402
from server.models.push import Notification, PushSubscription  # noqa: E402
from server.push.payload import topic_for  # noqa: E402
from server.worker import run_forever  # noqa: E402
from tests.push_service import PushService  # noqa: E402


def main() -> None:
    """Set up, run the loop until every prompt arrived, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--meetings", type=int, default=1, help="meetings per user")
    parser.add_argument("--spacing", type=float, default=0.5, help="seconds between meeting ends")
    parser.add_argument("--tick", type=float, default=None, help="worker tick (default: config)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    env = {
        "RAPPORT_DATA_DIR": str(data),
        "RAPPORT_ALLOW_PRIVATE_URLS": "1",
        "RAPPORT_DATABASE_URL": args.database_url or f"sqlite:///{data / 'bench.sqlite3'}",
    }
    app = create_app(Config(env))
    if args.tick is not None:
        app.config["WORKER_TICK_SECONDS"] = args.tick
    migrate_database(app)
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    with app.app_context():
        start = utcnow() + timedelta(seconds=10)  # the loop has planned once by then
        due: dict[str, float] = {}
        for u in range(args.users):
            user = User(email=f"bench{u}@example.org", password_hash="-", name="Bench",
                        timezone="UTC", settings={"prompt_delay_minutes": 0,
                                                  "quiet_hours_start": "00:00",
                                                  "quiet_hours_end": "00:00"})
            db.session.add(user)
            db.session.flush()
            sub = service.new_subscription("bench")
            db.session.add(PushSubscription(user_id=user.id, endpoint=sub["endpoint"],
                                            p256dh=sub["keys"]["p256dh"],
                                            auth=sub["keys"]["auth"]))
            cal = Calendar(user_id=user.id, name="Bench", source="upload",
                           next_sync_at=utcnow() + timedelta(days=365))
            db.session.add(cal)
            db.session.flush()
            for n in range(args.meetings):
                offset = (u * args.meetings + n) * args.spacing % 60  # all within one minute
                end = start + timedelta(seconds=offset)
                meeting = Meeting(user_id=user.id, calendar_id=cal.id, uid=f"bench-{u}-{n}",
                                  title=f"Meeting {n}", start_at=end - timedelta(minutes=30),
                                  end_at=end, has_others=True)
                meeting.attendees.append(MeetingAttendee(
                    user_id=user.id, email=f"p{n}@example.org", name=f"Person {n}"))
                db.session.add(meeting)
                db.session.flush()
                due[topic_for(f"meeting:{meeting.id}")] = end.timestamp()
        db.session.commit()

    stop = threading.Event()
    loop = threading.Thread(target=run_forever, args=(app,), kwargs={"stop": stop}, daemon=True)
    loop.start()
    total = args.users * args.meetings
    budget = 70 + 2 * app.config["WORKER_TICK_SECONDS"] + total * 0.05
    service.wait_for(total, timeout=budget)
    stop.set()
    loop.join(timeout=30)
    service.stop()

    latencies = sorted(m.at - due[m.topic] for m in service.accepted() if m.topic in due)
    with app.app_context():
        states = list(db.session.scalars(select(Notification.state)))
    figures = {
        "bench": "prompt_latency",
        "database": "postgresql" if "postgresql" in env["RAPPORT_DATABASE_URL"] else "sqlite",
        "worker_tick_seconds": app.config["WORKER_TICK_SECONDS"],
        "users": args.users,
        "meetings": total,
        "delivered": len(latencies),
        "duplicates": len(service.accepted()) - len({m.topic for m in service.accepted()}),
        "states": {s: states.count(s) for s in set(states)},
        "latency_seconds": {
            "min": round(latencies[0], 3) if latencies else None,
            "median": round(statistics.median(latencies), 3) if latencies else None,
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
            "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 3) if latencies else None,
            "max": round(latencies[-1], 3) if latencies else None,
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
