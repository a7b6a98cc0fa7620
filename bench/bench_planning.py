"""What a planning pass costs when few users changed: 10,000 users of whom 100 changed,
against 100 users in all (every one of them changed), on the same machine in the same run.

Each user has a few contacts (one with a birthday soon), a meeting today and a log entry.
Users are written with bulk inserts and then marked as planned, as after an earlier pass;
the changed ones are then touched through the ORM (a contact's birthday), which is what
bumps their mark. Prints JSON. Usage:

    python bench/bench_planning.py [--users 10000] [--changed 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database  # noqa: E402
from sqlalchemy import delete, insert, select, update  # noqa: E402

from server import create_app  # noqa: E402
from server.cli import migrate_database  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.models import Contact, User  # noqa: E402
from server.models.calendars import Calendar, Meeting  # noqa: E402
from server.models.planning import ReplanMark  # noqa: E402
from server.models.push import Notification  # noqa: E402
from server.reminders.planning import adopt_unmarked, plan_all  # noqa: E402

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
BASE = "https://rapport.example.org"
CONTACTS = 5


def populate(users: int) -> list[int]:
    """Bulk-insert `users` users with contacts and a meeting each; returns their ids."""
    db.session.execute(delete(User))
    db.session.commit()
    db.session.execute(insert(User), [
        {"email": f"u{n}@bench.example", "password_hash": "-", "name": f"U{n}",
         "timezone": "Europe/London", "is_admin": False, "settings": {}, "created_at": NOW}
        for n in range(users)
    ])
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    db.session.execute(insert(Contact), [
        {"user_id": uid, "name": f"Person {uid}-{c}", "kind": "peer", "company": "", "title": "",
         "phones": [], "how_met": "", "notes": "", "url": "", "created_at": NOW,
         "updated_at": NOW, "birthday_month": 5 if c == 0 else None,
         "birthday_day": 20 if c == 0 else None}
        for uid in ids for c in range(CONTACTS)
    ])
    db.session.execute(insert(Calendar), [
        {"user_id": uid, "name": "Work", "source": "upload", "url_hint": "", "warnings": [],
         "owner_emails": [], "meeting_count": 1, "failure_count": 0, "created_at": NOW}
        for uid in ids
    ])
    calendars = dict(db.session.execute(select(Calendar.user_id, Calendar.id)).all())
    db.session.execute(insert(Meeting), [
        {"user_id": uid, "calendar_id": calendars[uid], "uid": f"m{uid}", "recurrence_key": "",
         "title": "Lunch", "location": "", "start_at": NOW + timedelta(hours=2),
         "end_at": NOW + timedelta(hours=3), "status": "confirmed", "has_others": True,
         "all_day": False, "created_at": NOW, "updated_at": NOW}
        for uid in ids
    ])
    db.session.commit()
    return ids


def settle() -> None:
    """Mark everyone planned until their next local midnight (as after an earlier pass)."""
    adopt_unmarked()
    db.session.execute(update(ReplanMark).values(
        planned_version=ReplanMark.version, replan_at=NOW + timedelta(hours=13),
        lease_owner=None, lease_until=None))
    db.session.execute(delete(Notification))
    db.session.commit()


def touch(user_ids: list[int]) -> None:
    """Change one contact of each user through the ORM, as the API would."""
    for contact in db.session.scalars(
        select(Contact).where(Contact.user_id.in_(user_ids), Contact.birthday_month.is_(None))
        .order_by(Contact.id)
    ):
        contact.cadence_days = 30
    db.session.commit()


def timed_pass() -> dict[str, Any]:
    """One planning pass at NOW, timed."""
    started = time.perf_counter()
    figures = plan_all(NOW, BASE, owner="bench")
    return {"seconds": round(time.perf_counter() - started, 4), **figures}


def measure(users: int, changed: int) -> dict[str, Any]:
    """Populate, settle, change `changed` users, and time the pass."""
    ids = populate(users)
    settle()
    idle = timed_pass()
    touch(ids[:changed])
    busy = timed_pass()
    return {"users": users, "changed": changed, "idle_pass": idle, "pass": busy}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both sizes and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    data = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    env = {
        "RAPPORT_DATA_DIR": str(data),
        "RAPPORT_DATABASE_URL": fresh_database(args.database_url, data),
    }
    app = create_app(Config(env))
    migrate_database(app)
    with app.app_context():
        floor = measure(args.changed, args.changed)  # every user changed: the floor
        large = measure(args.users, args.changed)
    figures = {
        "benchmark": "planning_pass",
        "database": "postgresql" if "postgresql" in env["RAPPORT_DATABASE_URL"] else "sqlite",
        "floor": floor,
        "large": large,
        "ratio_to_floor": round(large["pass"]["seconds"] / max(floor["pass"]["seconds"], 1e-9), 2),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
