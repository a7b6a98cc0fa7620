"""Logging interactions: idempotent PUT by UUID, validation, ownership, listing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from server.extensions import db
from server.models.interactions import GiveTakeItem, Interaction, InteractionContact

from .conftest import entry, new_uuid


def count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_first_put_creates_the_entry(auth_client, user, make_contact):
    tom = make_contact(user, name="Tom Baker")
    key = new_uuid()
    body = entry(
        [tom.id],
        gave=[{"category": "intro", "note": "to Ann"}],
        received=[{"category": "referral"}],
        notes="Lunch at Dishoom",
        challenge="Hiring a CTO",
        follow_up_on="2025-04-10",
    )
    response = auth_client.put(f"/api/interactions/{key}", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["uuid"] == key
    assert data["occurred_at"] == "2025-03-10T12:30:00+00:00"
    assert data["people"] == [{"id": tom.id, "name": "Tom Baker"}]
    assert [(i["category"], i["note"]) for i in data["gave"]] == [("intro", "to Ann")]
    assert [i["category"] for i in data["received"]] == ["referral"]
    assert data["challenge"] == "Hiring a CTO"
    assert data["follow_up_on"] == "2025-04-10"


def test_replayed_log_is_stored_once(app, auth_client, user, make_contact):
    tom = make_contact(user)
    key = new_uuid()
    body = entry([tom.id], gave=[{"category": "advice"}], challenge="Job search")
    first = auth_client.put(f"/api/interactions/{key}", json=body)
    again = auth_client.put(f"/api/interactions/{key}", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert count(app, Interaction) == 1
    assert count(app, GiveTakeItem) == 1


def test_uuid_is_case_insensitive(app, auth_client, user, make_contact):
    tom = make_contact(user)
    key = new_uuid()
    auth_client.put(f"/api/interactions/{key}", json=entry([tom.id]))
    again = auth_client.put(f"/api/interactions/{key.upper()}", json=entry([tom.id]))
    assert again.status_code == 200
    assert count(app, Interaction) == 1


def test_changed_body_updates_and_keeps_promise_identity(auth_client, user, make_contact):
    tom = make_contact(user)
    ann = make_contact(user, name="Ann Lee")
    key = new_uuid()
    promise = {"category": "intro", "note": "to a CTO", "promised": True, "due_on": "2025-03-20"}
    first = auth_client.put(f"/api/interactions/{key}", json=entry([tom.id], gave=[promise])).get_json()
    promise_id = first["gave"][0]["id"]
    auth_client.post(f"/api/promises/{promise_id}/deliver")
    changed = entry([tom.id, ann.id], kind="call", gave=[promise, {"category": "gift"}])
    response = auth_client.put(f"/api/interactions/{key}", json=changed)
    assert response.status_code == 200
    data = response.get_json()
    assert data["kind"] == "call"
    assert data["contact_ids"] == [tom.id, ann.id]
    assert data["gave"][0]["id"] == promise_id
    assert data["gave"][0]["delivered_at"] is not None
    assert [i["category"] for i in data["gave"]] == ["intro", "gift"]


def test_items_removed_from_the_body_are_deleted(app, auth_client, user, make_contact):
    tom = make_contact(user)
    key = new_uuid()
    auth_client.put(f"/api/interactions/{key}", json=entry([tom.id], gave=[{"category": "gift"}]))
    auth_client.put(f"/api/interactions/{key}", json=entry([tom.id], gave=[]))
    assert count(app, GiveTakeItem) == 0


def test_concurrent_replays_create_one_entry(app, user, make_contact):
    from tests.conftest import login

    tom = make_contact(user)
    key = new_uuid()
    body = entry([tom.id], gave=[{"category": "advice"}])
    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        login(c, user.email)
        c.csrf_token = c.get("/api/auth/csrf").get_json()["csrf_token"]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(c: Any) -> None:
        barrier.wait()
        statuses.append(c.put(f"/api/interactions/{key}", json=body).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert count(app, Interaction) == 1
    assert count(app, GiveTakeItem) == 1


def test_uuid_of_another_user_answers_404_and_changes_nothing(app, auth_client, user, make_user, make_contact):
    from tests.conftest import login

    other = make_user("zoe@example.com")
    zoes_friend = make_contact(other, name="Zoe's friend")
    key = new_uuid()
    other_client = app.test_client()
    login(other_client, other.email)
    assert other_client.put(f"/api/interactions/{key}", json=entry([zoes_friend.id], notes="mine")).status_code == 201
    tom = make_contact(user)
    response = auth_client.put(f"/api/interactions/{key}", json=entry([tom.id], notes="hijack"))
    assert response.status_code == 404
    assert auth_client.get(f"/api/interactions/{key}").status_code == 404
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 404
    assert other_client.get(f"/api/interactions/{key}").get_json()["notes"] == "mine"


def test_contact_of_another_user_cannot_be_attached(app, auth_client, user, make_user, make_contact):
    other = make_user("zoe@example.com")
    theirs = make_contact(other, name="Not yours")
    mine = make_contact(user)
    response = auth_client.put(f"/api/interactions/{new_uuid()}", json=entry([mine.id, theirs.id]))
    assert response.status_code == 404
    assert response.get_json()["errors"] == {"contact_ids": [f"No such contact: {theirs.id}"]}
    assert count(app, Interaction) == 0
    assert count(app, InteractionContact) == 0


def test_invalid_fields_answer_422_with_field_errors(app, auth_client, user, make_contact):
    tom = make_contact(user)
    bad = entry(
        [tom.id],
        kind="carrier pigeon",
        occurred_at="2025-03-10T12:30:00",
        gave=[{"category": "bribe"}],
        received=[{"category": "advice", "promised": True}],
        follow_up_on="2025-02-30",
    )
    response = auth_client.put(f"/api/interactions/{new_uuid()}", json=bad)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"kind", "occurred_at", "gave", "received", "follow_up_on"}
    assert count(app, Interaction) == 0


def test_invalid_uuid_answers_422(auth_client, user, make_contact):
    tom = make_contact(user)
    response = auth_client.put("/api/interactions/not-a-uuid", json=entry([tom.id]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"uuid": ["Not a valid UUID."]}


def test_empty_people_and_unknown_fields_are_refused(auth_client, user, make_contact):
    tom = make_contact(user)
    assert auth_client.put(f"/api/interactions/{new_uuid()}", json=entry([])).status_code == 422
    body = entry([tom.id], mood="great")
    assert auth_client.put(f"/api/interactions/{new_uuid()}", json=body).status_code == 422


def test_item_for_someone_not_in_the_log_is_refused(auth_client, user, make_contact):
    tom = make_contact(user)
    ann = make_contact(user, name="Ann")
    body = entry([tom.id], gave=[{"category": "gift", "contact_id": ann.id}])
    response = auth_client.put(f"/api/interactions/{new_uuid()}", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"gave": {"0": {"contact_id": ["Not one of this log's people."]}}}


def test_far_future_log_is_refused(auth_client, user, make_contact):
    tom = make_contact(user)
    body = entry([tom.id], occurred_at="2999-01-01T00:00:00+00:00")
    assert auth_client.put(f"/api/interactions/{new_uuid()}", json=body).status_code == 422


def test_list_is_newest_first_and_filtered(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    put_log([tom.id], occurred_at="2025-01-05T10:00:00+00:00", kind="call")
    put_log([ann.id], occurred_at="2025-02-05T10:00:00+00:00")
    put_log([tom.id, ann.id], occurred_at="2025-03-05T10:00:00+00:00")
    everything = auth_client.get("/api/interactions").get_json()
    assert everything["total"] == 3
    assert [i["occurred_at"][:10] for i in everything["items"]] == ["2025-03-05", "2025-02-05", "2025-01-05"]
    toms = auth_client.get(f"/api/interactions?contact_id={tom.id}").get_json()
    assert [i["occurred_at"][:10] for i in toms["items"]] == ["2025-03-05", "2025-01-05"]
    calls = auth_client.get("/api/interactions?kind=call").get_json()
    assert calls["total"] == 1
    feb = auth_client.get("/api/interactions?from=2025-02-01&to=2025-02-28").get_json()
    assert [i["people"][0]["name"] for i in feb["items"]] == ["Ann"]
    page2 = auth_client.get("/api/interactions?per_page=2&page=2").get_json()
    assert [i["occurred_at"][:10] for i in page2["items"]] == ["2025-01-05"]


def test_date_range_uses_the_users_zone(auth_client, user, make_contact, put_log):
    tom = make_contact(user)
    # 23:30 UTC on 31 Mar is 00:30 on 1 Apr in London (BST).
    put_log([tom.id], occurred_at="2025-03-31T23:30:00+00:00")
    assert auth_client.get("/api/interactions?from=2025-04-01&to=2025-04-01").get_json()["total"] == 1
    assert auth_client.get("/api/interactions?from=2025-03-31&to=2025-03-31").get_json()["total"] == 0


def test_list_of_foreign_contact_is_404(auth_client, make_user, make_contact):
    other = make_user("zoe@example.com")
    theirs = make_contact(other)
    assert auth_client.get(f"/api/interactions?contact_id={theirs.id}").status_code == 404


def test_delete_removes_entry_and_items(app, auth_client, user, make_contact, put_log):
    tom = make_contact(user)
    key = new_uuid()
    put_log([tom.id], key=key, gave=[{"category": "gift"}], challenge="Moving house")
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 204
    assert auth_client.get(f"/api/interactions/{key}").status_code == 404
    assert count(app, GiveTakeItem) == 0
    assert auth_client.get("/api/challenges").get_json()["total"] == 0


def test_deleting_a_contact_keeps_the_log_without_them(app, auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    key = new_uuid()
    put_log([tom.id, ann.id], key=key)
    assert auth_client.delete(f"/api/contacts/{tom.id}").status_code == 204
    assert auth_client.get(f"/api/interactions/{key}").get_json()["contact_ids"] == [ann.id]


def test_meeting_id_is_kept_and_filterable(auth_client, user, make_contact, make_meeting, put_log):
    tom = make_contact(user)
    meeting_id = make_meeting(
        user, start_at=datetime(2025, 3, 10, 12, tzinfo=UTC), end_at=datetime(2025, 3, 10, 13, tzinfo=UTC)
    )
    put_log([tom.id], meeting_id=meeting_id)
    put_log([tom.id])
    listed = auth_client.get(f"/api/interactions?meeting_id={meeting_id}").get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["meeting_id"] == meeting_id


def test_meeting_of_another_user_cannot_be_attached(app, auth_client, user, make_user, make_contact, make_meeting, put_log):
    other = make_user("zoe@example.com")
    theirs = make_meeting(
        other, start_at=datetime(2025, 3, 10, 12, tzinfo=UTC), end_at=datetime(2025, 3, 10, 13, tzinfo=UTC)
    )
    tom = make_contact(user)
    response = put_log([tom.id], meeting_id=theirs)
    assert response.status_code == 404
    assert put_log([tom.id], meeting_id=2**31).status_code == 422
    assert count(app, Interaction) == 0
