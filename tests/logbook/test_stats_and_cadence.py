"""Per-contact stats: last contact kept right through edits, balance over 12 months, cadence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from server.extensions import db
from server.logbook.stats import contact_stats
from server.models import Contact, User

from .conftest import new_uuid


def stats_of(auth_client, contact_id):
    return auth_client.get(f"/api/contacts/{contact_id}").get_json()["stats"]


def test_logging_sets_last_interaction_and_in_person(auth_client, user, make_contact, put_log):
    tom = make_contact(user)
    put_log([tom.id], occurred_at="2025-03-01T10:00:00+00:00", kind="in_person")
    put_log([tom.id], occurred_at="2025-03-05T10:00:00+00:00", kind="call")
    stats = stats_of(auth_client, tom.id)
    assert stats["last_interaction_at"] == "2025-03-05T10:00:00+00:00"
    assert stats["last_in_person_at"] == "2025-03-01T10:00:00+00:00"


def test_backdating_and_deleting_recompute_last_seen(auth_client, user, make_contact, put_log):
    tom = make_contact(user)
    older = new_uuid()
    newer = new_uuid()
    put_log([tom.id], key=older, occurred_at="2025-01-10T10:00:00+00:00", kind="in_person")
    put_log([tom.id], key=newer, occurred_at="2025-03-10T10:00:00+00:00", kind="in_person")
    # Back-date the newest entry: the last date must follow it, not stay at 10 March.
    put_log([tom.id], key=newer, occurred_at="2024-12-01T10:00:00+00:00", kind="in_person")
    assert stats_of(auth_client, tom.id)["last_interaction_at"] == "2025-01-10T10:00:00+00:00"
    # Turning it into a call keeps the in-person date on the older entry.
    put_log([tom.id], key=older, occurred_at="2025-01-10T10:00:00+00:00", kind="call")
    stats = stats_of(auth_client, tom.id)
    assert stats["last_in_person_at"] == "2024-12-01T10:00:00+00:00"
    auth_client.delete(f"/api/interactions/{older}")
    auth_client.delete(f"/api/interactions/{newer}")
    stats = stats_of(auth_client, tom.id)
    assert stats["last_interaction_at"] is None
    assert stats["last_in_person_at"] is None


def test_removing_a_person_from_a_log_recomputes_them(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    key = new_uuid()
    put_log([tom.id, ann.id], key=key, occurred_at="2025-03-10T10:00:00+00:00")
    put_log([tom.id], key=key, occurred_at="2025-03-10T10:00:00+00:00")
    assert stats_of(auth_client, ann.id)["last_interaction_at"] is None
    assert stats_of(auth_client, tom.id)["last_interaction_at"] == "2025-03-10T10:00:00+00:00"


def _put(app, user_id, body, key=None):
    """Log through the service with an injected clock."""
    from server.logbook.interactions import put_interaction
    from server.schemas.interactions import InteractionInSchema

    with app.app_context():
        fresh = db.session.get(User, user_id)
        data = InteractionInSchema().load(body)
        put_interaction(fresh, key or new_uuid(), data, datetime(2025, 6, 1, tzinfo=UTC))
        db.session.commit()


def test_balance_counts_last_12_months_and_attribution(app, user, make_contact):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    base = {"kind": "call", "received": []}
    # Older than 12 months before 1 June 2025: ignored.
    _put(app, user.id, {**base, "occurred_at": "2024-05-01T10:00:00Z", "contact_ids": [tom.id],
                        "gave": [{"category": "gift"}] * 1})
    # Both present; the intro counts for both, the advice only for Ann.
    _put(app, user.id, {**base, "occurred_at": "2025-02-01T10:00:00Z", "contact_ids": [tom.id, ann.id],
                        "gave": [{"category": "intro"}, {"category": "advice", "contact_id": ann.id}],
                        "received": [{"category": "referral"}, {"category": "feedback"}]})
    # An open promise does not count as given yet; a delivered one would.
    _put(app, user.id, {**base, "occurred_at": "2025-05-01T10:00:00Z", "contact_ids": [tom.id],
                        "gave": [{"category": "intro", "note": "to a CFO", "promised": True}],
                        "received": [{"category": "advice"}]})
    with app.app_context():
        fresh = db.session.get(User, user.id)
        stats = contact_stats(fresh, [tom.id, ann.id], datetime(2025, 6, 1, tzinfo=UTC))
    assert (stats[tom.id]["gave"], stats[tom.id]["received"], stats[tom.id]["balance"]) == (1, 3, -2)
    assert (stats[ann.id]["gave"], stats[ann.id]["received"], stats[ann.id]["balance"]) == (2, 2, 0)


def _set(app, contact_id, **fields):
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        for key, value in fields.items():
            setattr(contact, key, value)
        db.session.commit()


def test_next_due_uses_kind_default_then_own_cadence(app, user, make_contact):
    created = datetime(2025, 1, 1, 12, tzinfo=UTC)
    client = make_contact(user, name="Client", kind="client")
    friend = make_contact(user, name="Friend", kind="friend", cadence_days=10)
    never = make_contact(user, name="Never met", kind="peer")
    _set(app, client.id, created_at=created, last_interaction_at=datetime(2025, 3, 1, 9, tzinfo=UTC))
    _set(app, friend.id, created_at=created, last_interaction_at=datetime(2025, 3, 25, 9, tzinfo=UTC))
    _set(app, never.id, created_at=created)
    now = datetime(2025, 4, 2, 12, tzinfo=UTC)
    with app.app_context():
        fresh = db.session.get(User, user.id)
        stats = contact_stats(fresh, [client.id, friend.id, never.id], now)
    assert stats[client.id]["next_due_on"] == date(2025, 3, 31)  # 1 Mar + 30 (client)
    assert stats[client.id]["overdue_days"] == 2
    assert stats[friend.id]["next_due_on"] == date(2025, 4, 4)  # 25 Mar + 10 (own)
    assert stats[friend.id]["overdue_days"] == 0
    assert stats[never.id]["next_due_on"] == date(2025, 4, 1)  # created 1 Jan + 90 (peer)
    assert stats[never.id]["overdue_days"] == 1


def test_user_cadence_by_kind_overrides_default(app, user, make_contact):
    _set_user = {"cadence_by_kind": {"client": 14}}
    with app.app_context():
        fresh = db.session.get(User, user.id)
        fresh.settings = _set_user
        db.session.commit()
    client = make_contact(user, name="Client", kind="client")
    _set(app, client.id, last_interaction_at=datetime(2025, 3, 1, 9, tzinfo=UTC))
    with app.app_context():
        fresh = db.session.get(User, user.id)
        stats = contact_stats(fresh, [client.id], datetime(2025, 3, 20, tzinfo=UTC))
    assert stats[client.id]["next_due_on"] == date(2025, 3, 15)
    assert stats[client.id]["overdue_days"] == 5


def test_due_date_is_the_users_local_day(app, make_user, make_contact):
    # 23:30 UTC on 1 March is already 2 March in Auckland (+13:00).
    kiwi = make_user("kiwi@example.com", timezone="Pacific/Auckland")
    peer = make_contact(kiwi, kind="peer", cadence_days=1)
    _set(app, peer.id, last_interaction_at=datetime(2025, 3, 1, 23, 30, tzinfo=UTC))
    with app.app_context():
        fresh = db.session.get(User, kiwi.id)
        stats = contact_stats(fresh, [peer.id], datetime(2025, 3, 2, 0, 0, tzinfo=UTC))
    assert stats[peer.id]["next_due_on"] == date(2025, 3, 3)


def test_overdue_filter_lists_only_lapsed_people(app, auth_client, user, make_contact):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    lapsed = make_contact(user, name="Lapsed", kind="client")
    fresh_one = make_contact(user, name="Fresh", kind="client")
    _set(app, lapsed.id, created_at=old, last_interaction_at=old)
    _set(app, fresh_one.id, created_at=old)
    _set(app, fresh_one.id, last_interaction_at=datetime.now(UTC))
    listed = auth_client.get("/api/contacts?overdue=1").get_json()
    assert [c["name"] for c in listed["items"]] == ["Lapsed"]
    assert listed["items"][0]["stats"]["overdue_days"] > 0
