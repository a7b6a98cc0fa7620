"""The give/take log in the backup: interactions, items and promises, follow-ups, challenges, wins."""

from __future__ import annotations

import uuid

from tests.conftest import login


def _without_time(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def _seed_log(client) -> None:
    ada = client.post("/api/contacts", json={"name": "Ada", "emails": ["ada@x.org"]}).get_json()["id"]
    tom = client.post("/api/contacts", json={"name": "Tom"}).get_json()["id"]
    body = {
        "occurred_at": "2026-11-20T12:30:00+00:00",
        "kind": "in_person",
        "contact_ids": [ada, tom],
        "gave": [
            {"category": "intro", "note": "to a CTO", "contact_id": tom},
            {"category": "advice", "promised": True, "due_on": "2026-12-01"},
        ],
        "received": [{"category": "referral", "note": "a client"}],
        "notes": "Lunch",
        "challenge": "Job search",
        "follow_up_on": "2026-12-20",
    }
    response = client.put(f"/api/interactions/{uuid.uuid4()}", json=body)
    assert response.status_code in (200, 201), response.get_json()
    second = {"occurred_at": "2026-11-21T09:00:00+00:00", "kind": "call", "contact_ids": [ada]}
    assert client.put(f"/api/interactions/{uuid.uuid4()}", json=second).status_code in (200, 201)
    response = client.post(
        f"/api/contacts/{ada}/wins", json={"text": "Promoted", "happened_on": "2026-11-10"}
    )
    assert response.status_code == 201, response.get_json()
    response = client.post(
        f"/api/contacts/{tom}/challenges", json={"text": "Moving house", "check_in_on": "2026-12-05"}
    )
    assert response.status_code == 201, response.get_json()


def test_log_is_in_the_backup_with_contact_refs(auth_client):
    _seed_log(auth_client)
    document = auth_client.get("/api/export.json").get_json()
    first, second = document["interactions"]
    assert first["contacts"] == [1, 2] and first["ref"] == 1
    assert [(i["direction"], i["category"], i["contact"], i["promised"]) for i in first["items"]] == [
        ("gave", "intro", 2, False),
        ("gave", "advice", None, True),
        ("received", "referral", None, False),
    ]
    assert first["follow_up_on"] == "2026-12-20"
    assert second["kind"] == "call"
    assert [w["text"] for w in document["wins"]] == ["Promoted"]
    assert {c["text"] for c in document["challenges"]} >= {"Moving house"}
    assert "uuid" not in str(document["interactions"])


def test_log_restores_into_a_fresh_account_identically(app, auth_client, make_user):
    _seed_log(auth_client)
    first = auth_client.get("/api/export.json").get_json()
    fresh = make_user("fresh@example.com")
    other = app.test_client()
    login(other, fresh.email)
    response = other.post("/api/import.json", json=first)
    assert response.status_code == 200, response.get_json()
    restored = response.get_json()["restored"]
    assert (restored["interactions"], restored["wins"]) == (2, 1)
    assert _without_time(other.get("/api/export.json").get_json()) == _without_time(first)
    assert other.get("/api/promises").get_json()["total"] == 1


def test_merging_the_same_backup_twice_adds_no_duplicates(auth_client):
    _seed_log(auth_client)
    document = auth_client.get("/api/export.json").get_json()
    response = auth_client.post("/api/import.json?merge=1", json=document)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["restored"]["interactions"] == 0
    assert _without_time(auth_client.get("/api/export.json").get_json()) == _without_time(document)


def test_invalid_log_entry_is_422_and_nothing_written(auth_client):
    document = {
        "format": "rapport-backup",
        "version": 1,
        "contacts": [{"ref": 1, "name": "Ada"}],
        "interactions": [{"ref": 1, "occurred_at": "not a time", "kind": "in_person"}],
    }
    assert auth_client.post("/api/import.json", json=document).status_code == 422
    assert auth_client.get("/api/contacts").get_json()["total"] == 0


def test_feed_shows_follow_ups_check_ins_and_promises(app, auth_client):
    from icalendar import Calendar

    _seed_log(auth_client)
    url = auth_client.get("/api/calendar-feed").get_json()["url"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    cal = Calendar.from_ical(app.test_client().get(path).data)
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert "Follow up with Ada, Tom" in summaries
    assert "Promised: advice" in summaries
    assert "Check in with Tom" in summaries
    # keep-in-touch dates come from the log's stats: Ada and Tom were seen, so they are due
    assert any(s.endswith("Ada") and ("Keep in touch" in s or "Overdue" in s) for s in summaries)


def test_a_win_noted_in_a_log_stays_linked_to_it_through_a_restore(app, auth_client, make_user):
    ada = auth_client.post("/api/contacts", json={"name": "Ada"}).get_json()["id"]
    body = {"occurred_at": "2026-11-20T12:30:00+00:00", "kind": "call", "contact_ids": [ada],
            "win": {"text": "Shipped v2", "big": True}}
    assert auth_client.put(f"/api/interactions/{uuid.uuid4()}", json=body).status_code == 201
    auth_client.post(f"/api/contacts/{ada}/wins", json={"text": "Promoted", "happened_on": "2026-11-10"})
    document = auth_client.get("/api/export.json").get_json()
    assert [(w["text"], w["interaction"]) for w in document["wins"]] == [("Shipped v2", 1), ("Promoted", None)]
    fresh = make_user("fresh@example.com")
    other = app.test_client()
    login(other, fresh.email)
    assert other.post("/api/import.json", json=document).status_code == 200
    assert _without_time(other.get("/api/export.json").get_json()) == _without_time(document)
    [log] = other.get("/api/interactions").get_json()["items"]
    assert log["win"]["text"] == "Shipped v2"
    assert other.delete(f"/api/interactions/{log['uuid']}").status_code == 204
    assert [w["text"] for w in other.get("/api/wins").get_json()["items"]] == ["Promoted"]
    merged = auth_client.post("/api/import.json?merge=1", json=document)
    assert merged.status_code == 200 and merged.get_json()["restored"]["wins"] == 0
