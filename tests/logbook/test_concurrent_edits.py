"""Two different bodies PUT to one interaction UUID at once: each answer is a clean 200/201
(last write wins) or 409, never 500, and the stored entry is exactly one of the two bodies."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from server.extensions import db
from server.models import Contact
from server.models.interactions import Challenge, GiveTakeItem, Interaction
from tests.conftest import login
from tests.logbook.conftest import entry, new_uuid

THREADS = 8
REQUESTS = 120


def stored(app: Any, key: str) -> dict[str, Any]:
    """The entry as the database holds it, in the terms of a PUT body."""
    with app.app_context():
        log = db.session.scalar(select(Interaction).where(Interaction.uuid == key))
        items = db.session.scalars(select(GiveTakeItem).where(GiveTakeItem.interaction_id == log.id))
        challenges = db.session.scalars(select(Challenge.contact_id).where(Challenge.interaction_id == log.id))
        return {
            "notes": log.notes,
            "kind": log.kind,
            "contact_ids": sorted(log.contact_ids),
            "items": sorted((i.direction, i.category, i.note) for i in items),
            "challenges": sorted(challenges),
            "count": db.session.query(Interaction).count(),
        }


def test_concurrent_puts_of_different_bodies_never_fail(app, user, make_contact):
    tom, ann = make_contact(user, name="Tom"), make_contact(user, name="Ann")
    key = new_uuid()
    bodies = {
        "A": entry([tom.id], notes="A", gave=[{"category": "advice", "note": "from A"}]),
        "B": entry(
            [ann.id, tom.id],
            kind="call",
            notes="B",
            challenge="hiring",
            received=[{"category": "intro", "note": "from B"}, {"category": "favor"}],
        ),
    }
    clients = [app.test_client() for _ in range(THREADS)]
    for c in clients:
        login(c, user.email)
        c.csrf_token = c.get("/api/auth/csrf").get_json()["csrf_token"]
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str, Any]] = []

    def run(n: int) -> None:
        client = clients[n]
        barrier.wait()
        for i in range(n, REQUESTS, THREADS):
            which = "AB"[i % 2]
            r = client.put(f"/api/interactions/{key}", json=bodies[which])
            answers.append((r.status_code, which, r.get_json()))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(run, range(THREADS)))

    statuses = [status for status, _, _ in answers]
    assert len(answers) == REQUESTS
    assert set(statuses) <= {200, 201, 409}, [a for a in answers if a[0] not in (200, 201, 409)][:3]
    assert statuses.count(201) == 1
    kinds = {"A": "in_person", "B": "call"}
    for status, _, body in answers:
        if status in (200, 201):
            assert kinds[body["notes"]] == body["kind"]  # the entry as it stood, one body whole
        else:
            assert body["code"] == 409 and body["errors"]["current"]["uuid"] == key
    final = stored(app, key)
    assert final["count"] == 1
    expected = {
        "A": {"notes": "A", "kind": "in_person", "contact_ids": sorted([tom.id]),
              "items": [("gave", "advice", "from A")], "challenges": []},
        "B": {"notes": "B", "kind": "call", "contact_ids": sorted([ann.id, tom.id]),
              "items": [("received", "favor", ""), ("received", "intro", "from B")],
              "challenges": sorted([ann.id, tom.id])},
    }[final["notes"]]
    assert {k: final[k] for k in expected} == expected
    with app.app_context():
        seen = {c.id: c.last_interaction_at for c in db.session.scalars(select(Contact))}
    assert seen[tom.id] is not None
    assert (seen[ann.id] is not None) == (final["notes"] == "B")
