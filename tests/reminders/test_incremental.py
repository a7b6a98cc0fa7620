"""Incremental planning: a pass plans only users whose plans may have changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import Contact, User
from server.models.planning import ReplanMark
from server.models.push import Notification
from server.reminders.planning import claim_users, plan_all
from tests.reminders.conftest import BASE

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _users(make_user, n):
    return [make_user(f"u{i}@example.com", timezone="Europe/London") for i in range(n)]


def test_a_second_pass_plans_nobody_until_something_changes(app, make_user, make_contact):
    users = _users(make_user, 3)
    tom = make_contact(users[1], name="Tom Baker")
    with app.app_context():
        assert plan_all(NOW, BASE)["users_planned"] == 3
        assert plan_all(NOW + timedelta(minutes=1), BASE)["users_planned"] == 0
        db.session.get(Contact, tom.id).birthday_month = 5
        db.session.get(Contact, tom.id).birthday_day = 5
        db.session.commit()
        figures = plan_all(NOW + timedelta(minutes=2), BASE)
    # Only Tom's owner: his birthday tomorrow (a day ahead and on the day), and the digest
    # that now has someone to name (a birthday this week).
    assert figures == {"planned": 3, "users_planned": 1}
    with app.app_context():
        keys = sorted(db.session.scalars(select(Notification.key)))
    assert keys == [f"birthday:{tom.id}:2026-05-05:0", f"birthday:{tom.id}:2026-05-05:1",
                    f"digest:{users[1].id}:2026-W19"]


def test_settings_logs_and_meetings_mark_their_owner(app, auth_client, user, make_user,
                                                     make_contact, meeting):
    other = make_user("other@example.com")
    ana = make_contact(user, name="Ana Lima")
    with app.app_context():
        plan_all(NOW, BASE)

    def marked():
        with app.app_context():
            db.session.expire_all()
            return {m.user_id for m in db.session.query(ReplanMark)
                    if m.version > m.planned_version}

    assert marked() == set()
    auth_client.patch("/api/settings", json={"notify_time": "08:00"})
    assert marked() == {user.id}
    with app.app_context():
        plan_all(NOW, BASE)
    auth_client.put("/api/interactions/0b9f2a8e-7a63-4a8e-9a53-3c1b6f1e2d10", json={
        "occurred_at": "2026-05-01T10:00:00Z", "kind": "call", "contact_ids": [ana.id]})
    assert marked() == {user.id}
    with app.app_context():
        plan_all(NOW, BASE)
    meeting(other, NOW + timedelta(hours=1), "Sync", people=[("a@example.com", "A", None)])
    assert marked() == {other.id}


def test_a_user_whose_local_day_turned_is_planned_again(app, make_user):
    tokyo = make_user("tokyo@example.com", timezone="Asia/Tokyo")
    make_user("london@example.com", timezone="Europe/London")
    with app.app_context():
        plan_all(NOW, BASE)
        # 15:00 UTC is past midnight in Tokyo (UTC+9) but not in London.
        assert plan_all(datetime(2026, 5, 4, 15, 30, tzinfo=UTC), BASE)["users_planned"] == 1
        mark = db.session.get(ReplanMark, tokyo.id)
        assert mark.replan_at == datetime(2026, 5, 5, 15, 0, tzinfo=UTC)


def test_two_workers_split_the_marked_users(app, make_user):
    users = _users(make_user, 4)
    with app.app_context():
        first = claim_users(NOW, "worker-a", set(), limit=2)
        second = claim_users(NOW, "worker-b", set(), limit=10)
    assert len(first) == 2 and len(second) == 2
    assert {u for u, _ in first} | {u for u, _ in second} == {u.id for u in users}


def test_a_write_during_planning_leaves_the_user_marked(app, make_user):
    maya = make_user("maya@example.com")
    with app.app_context():
        [(user_id, version)] = claim_users(NOW, "w", set())
        db.session.get(User, maya.id).settings = {"notify_time": "07:30"}
        db.session.commit()  # arrives while the user is being planned
        from server.reminders.planning import _planned

        _planned(user_id, version, "w", NOW + timedelta(hours=1))
        assert plan_all(NOW, BASE)["users_planned"] == 1
