"""GET /api/export.json and POST /api/import.json: complete, versioned, restorable."""

from __future__ import annotations

import io
import json

from tests.conftest import login


def _without_time(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def _seed(auth_client):
    for body in (
        {
            "name": "Ada Lovelace",
            "emails": ["ada@x.org", "ada@home.org"],
            "birthday": "1815-12-10",
            "tags": ["Math", "Mentors"],
            "kind": "mentor",
            "cadence_days": 60,
            "how_met": "Babbage's",
            "notes": "line\nline",
            "phones": ["+44 1"],
            "company": "AE",
            "title": "Eng",
            "anniversary": "--07-08",
            "url": "https://ada.example",
        },
        {"name": "Tom Baker", "birthday": "--02-29"},
        {"name": "Zoë, Smith", "emails": ["zoe@x.org"]},
    ):
        assert auth_client.post("/api/contacts", json=body).status_code == 201
    assert auth_client.patch("/api/settings", json={"digest_weekday": 3}).status_code == 200


def test_export_is_versioned_and_holds_no_ids_or_secrets(auth_client):
    _seed(auth_client)
    auth_client.get("/api/calendar-feed")
    response = auth_client.get("/api/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.get_json()
    assert (document["format"], document["version"]) == ("rapport-backup", 1)
    assert [c["ref"] for c in document["contacts"]] == [1, 2, 3]
    assert all("id" not in c for c in document["contacts"])
    assert document["account"]["settings"]["digest_weekday"] == 3
    text = response.get_data(as_text=True)
    assert "feed_token" not in text and "password" not in text


def test_export_restore_export_gives_the_same_document(app, auth_client, make_user):
    _seed(auth_client)
    first = auth_client.get("/api/export.json").get_json()
    fresh = make_user("fresh@example.com", name="Someone else", timezone="UTC")
    other = app.test_client()
    login(other, fresh.email)
    response = other.post("/api/import.json", json=first)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["restored"]["contacts"] == 3
    second = other.get("/api/export.json").get_json()
    assert _without_time(second) == _without_time(first)


def test_restore_accepts_a_file_upload(app, auth_client, make_user):
    _seed(auth_client)
    raw = auth_client.get("/api/export.json").data
    fresh = make_user("fresh@example.com")
    other = app.test_client()
    login(other, fresh.email)
    response = other.post(
        "/api/import.json",
        data={"file": (io.BytesIO(raw), "backup.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    assert len(other.get("/api/contacts").get_json()["items"]) == 3


def test_restore_into_a_non_empty_account_is_409_unless_merging(auth_client):
    _seed(auth_client)
    document = auth_client.get("/api/export.json").get_json()
    response = auth_client.post("/api/import.json", json=document)
    assert response.status_code == 409
    assert "merge" in response.get_json()["message"]
    response = auth_client.post("/api/import.json?merge=1", json=document)
    assert response.status_code == 200
    assert auth_client.get("/api/contacts").get_json()["total"] == 3
    assert _without_time(auth_client.get("/api/export.json").get_json()) == _without_time(document)


def test_merge_fills_gaps_and_keeps_what_is_there(auth_client):
    auth_client.post("/api/contacts", json={"name": "Ada Lovelace", "emails": ["ada@x.org"], "notes": "mine"})
    document = {
        "format": "rapport-backup",
        "version": 1,
        "contacts": [
            {"ref": 1, "name": "Ada", "emails": ["ada@x.org"], "notes": "theirs", "company": "AE"},
            {"ref": 2, "name": "New Person"},
        ],
    }
    assert auth_client.post("/api/import.json?merge=1", json=document).status_code == 200
    items = {c["name"]: c for c in auth_client.get("/api/contacts").get_json()["items"]}
    assert set(items) == {"Ada Lovelace", "New Person"}
    assert (items["Ada Lovelace"]["notes"], items["Ada Lovelace"]["company"]) == ("mine", "AE")


def test_invalid_backup_is_422_and_nothing_written(auth_client):
    bad_docs = [
        {"format": "something-else", "version": 1, "contacts": []},
        {"format": "rapport-backup", "version": 99, "contacts": []},
        {"format": "rapport-backup", "version": 1, "contacts": [{"ref": 1, "name": "A"}, {"ref": 2}]},
        {
            "format": "rapport-backup",
            "version": 1,
            "contacts": [{"ref": 1, "name": "A", "birthday": "1999-02-30"}],
        },
        {
            "format": "rapport-backup",
            "version": 1,
            "contacts": [{"ref": 1, "name": "A"}, {"ref": 1, "name": "B"}],
        },
        [1, 2, 3],
    ]
    for document in bad_docs:
        response = auth_client.post("/api/import.json", json=document)
        assert response.status_code == 422, (document, response.get_json())
    assert auth_client.get("/api/contacts").get_json()["total"] == 0


def test_non_json_upload_is_422(auth_client):
    response = auth_client.post(
        "/api/import.json",
        data={"file": (io.BytesIO(b"\x00\x01 not json"), "backup.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_backup_needs_login(client):
    assert client.get("/api/export.json").status_code == 401


def test_backups_are_private(app, auth_client, make_user, make_contact):
    other = make_user("other@example.com")
    make_contact(other, name="Secret Person")
    text = auth_client.get("/api/export.json").get_data(as_text=True)
    assert "Secret Person" not in text
    assert json.loads(text)["contacts"] == []


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e1@t\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nDTEND:20260102T110000Z\r\n"
    "SUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _add_calendars(client):
    response = client.post(
        "/api/calendars",
        json={"name": "Work", "url": "https://calendar.example/private/s3cr3t-token/basic.ics"},
    )
    assert response.status_code in (200, 201), response.get_json()
    response = client.post(
        "/api/calendars/upload",
        data={"file": (io.BytesIO(ICS.encode()), "holidays.ics"), "name": "Holidays"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()  # stored; the worker reads it


def test_calendars_are_backed_up_without_their_secret_address(auth_client):
    _add_calendars(auth_client)
    text = auth_client.get("/api/export.json").get_data(as_text=True)
    assert "s3cr3t-token" not in text
    calendars = json.loads(text)["calendars"]
    assert [(c["name"], c["source"]) for c in calendars] == [("Work", "url"), ("Holidays", "upload")]
    assert calendars[0]["url_hint"].startswith("https://calendar.example/")
    assert calendars[0]["ics"] is None
    assert "SUMMARY:Lunch" in calendars[1]["ics"]


def test_calendars_restore_and_export_again_the_same(app, auth_client, make_user):
    _seed(auth_client)
    _add_calendars(auth_client)
    first = auth_client.get("/api/export.json").get_json()
    fresh = make_user("fresh@example.com")
    other = app.test_client()
    login(other, fresh.email)
    response = other.post("/api/import.json", json=first)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["restored"]["calendars"] == 2
    assert _without_time(other.get("/api/export.json").get_json()) == _without_time(first)
    listed = other.get("/api/calendars").get_json()
    assert len(listed if isinstance(listed, list) else listed["items"]) == 2


def test_an_account_with_only_a_calendar_is_not_empty(auth_client):
    _add_calendars(auth_client)
    document = {"format": "rapport-backup", "version": 1, "contacts": [{"ref": 1, "name": "A"}]}
    assert auth_client.post("/api/import.json", json=document).status_code == 409
