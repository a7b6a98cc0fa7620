"""Contacts: create, validate, list and search, read, update, delete, ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Contact, ContactEmail
from tests.conftest import login

TOM = {
    "name": "Tom Baker",
    "emails": ["Tom@Example.com", "tom.baker@work.example", "tom@example.com"],
    "phones": ["+44 20 7946 0018"],
    "company": "Acme",
    "title": "CTO",
    "birthday": "1985-02-28",
    "kind": "client",
    "tags": ["london", "board"],
    "cadence_days": 45,
    "how_met": "Conference",
    "notes": "Hiring a CTO",
}


def contact_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contact))


def test_create_contact_normalises_and_returns_stats(auth_client):
    r = auth_client.post("/api/contacts", json=TOM)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["emails"] == ["tom@example.com", "tom.baker@work.example"]
    assert body["tags"] == ["board", "london"]
    assert body["birthday"] == "1985-02-28"
    assert set(body["stats"]) >= {"gave", "received", "balance", "last_interaction_at",
                                  "last_in_person_at", "next_due_on", "overdue_days"}
    assert auth_client.get(f"/api/contacts/{body['id']}").get_json()["name"] == "Tom Baker"


def test_birthday_without_year(auth_client):
    r = auth_client.post("/api/contacts", json={"name": "Leap", "birthday": "--02-29"})
    assert r.status_code == 201
    assert r.get_json()["birthday"] == "--02-29"


@pytest.mark.parametrize(
    "field,value",
    [
        ("birthday", "2023-02-30"),
        ("birthday", "--13-01"),
        ("birthday", "1985/02/28"),
        ("birthday", "1066-10-14"),
        ("emails", ["not an email"]),
        ("emails", "tom@example.com"),
        ("kind", "enemy"),
        ("name", ""),
        ("name", "x" * 201),
        ("notes", "x" * 20_001),
        ("cadence_days", 0),
        ("cadence_days", "often"),
        ("tags", [""]),
        ("unknown_field", 1),
    ],
)
def test_invalid_fields_are_422_and_nothing_is_written(auth_client, app, field, value):
    r = auth_client.post("/api/contacts", json={"name": "Ann", field: value})
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == 422
    assert field in body["errors"]
    assert contact_count(app) == 0


def test_missing_name_is_422(auth_client, app):
    r = auth_client.post("/api/contacts", json={"company": "Acme"})
    assert r.status_code == 422
    assert "name" in r.get_json()["errors"]


def test_bad_json_is_400(auth_client, app):
    r = auth_client.post("/api/contacts", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["code"] == 400
    assert contact_count(app) == 0


def test_json_array_body_is_422(auth_client, app):
    r = auth_client.post("/api/contacts", json=[{"name": "x"}])
    assert r.status_code == 422
    assert contact_count(app) == 0


def test_form_body_is_415(auth_client, app):
    r = auth_client.post("/api/contacts", data="name=Ann", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert contact_count(app) == 0


def test_partial_update_changes_only_given_fields(auth_client):
    cid = auth_client.post("/api/contacts", json=TOM).get_json()["id"]
    r = auth_client.patch(f"/api/contacts/{cid}", json={"title": "CEO", "emails": ["tom@new.example"]})
    assert r.status_code == 200
    body = r.get_json()
    assert body["title"] == "CEO"
    assert body["company"] == "Acme"
    assert body["emails"] == ["tom@new.example"]
    assert body["tags"] == ["board", "london"]


def test_invalid_update_leaves_contact_unchanged(auth_client):
    cid = auth_client.post("/api/contacts", json=TOM).get_json()["id"]
    r = auth_client.patch(f"/api/contacts/{cid}", json={"title": "CEO", "birthday": "2023-02-30"})
    assert r.status_code == 422
    assert auth_client.get(f"/api/contacts/{cid}").get_json()["title"] == "CTO"


def test_clear_birthday(auth_client):
    cid = auth_client.post("/api/contacts", json=TOM).get_json()["id"]
    assert auth_client.patch(f"/api/contacts/{cid}", json={"birthday": None}).get_json()["birthday"] is None


def test_delete_contact_removes_its_emails(auth_client, app):
    cid = auth_client.post("/api/contacts", json=TOM).get_json()["id"]
    assert auth_client.delete(f"/api/contacts/{cid}").status_code == 204
    assert auth_client.get(f"/api/contacts/{cid}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactEmail)) == 0


def test_foreign_contact_ids_answer_404_and_change_nothing(app, auth_client, make_user, make_contact):
    stranger = make_user("eve@example.com")
    theirs = make_contact(stranger, name="Secret Person", notes="private")
    assert auth_client.get(f"/api/contacts/{theirs.id}").status_code == 404
    assert auth_client.patch(f"/api/contacts/{theirs.id}", json={"notes": "mine"}).status_code == 404
    assert auth_client.delete(f"/api/contacts/{theirs.id}").status_code == 404
    eve = app.test_client()
    login(eve, stranger.email)
    assert eve.get(f"/api/contacts/{theirs.id}").get_json()["notes"] == "private"
    assert auth_client.get("/api/contacts").get_json()["total"] == 0


def test_list_search_filters_and_pagination(auth_client, user, make_contact):
    make_contact(user, name="Tom Baker", emails=["tom@acme.example"], company="Acme", tags=["london"])
    make_contact(user, name="Anna Schmidt", company="Globex", kind="mentor", tags=["Berlin"])
    make_contact(user, name="Zoë Ng", emails=["zoe@initech.example"], kind="mentor")
    make_contact(user, name="100% Real", company="Percent")

    def names(query: str) -> list[str]:
        body = auth_client.get(f"/api/contacts?{query}").get_json()
        return [c["name"] for c in body["items"]]

    assert names("") == ["100% Real", "Anna Schmidt", "Tom Baker", "Zoë Ng"]
    assert names("q=acme") == ["Tom Baker"]
    assert names("q=INITECH") == ["Zoë Ng"]
    assert names("q=berlin") == ["Anna Schmidt"]
    assert names("q=%25") == ["100% Real"]
    assert names("q=zoë") == ["Zoë Ng"]
    assert names("kind=mentor") == ["Anna Schmidt", "Zoë Ng"]
    assert names("tag=london") == ["Tom Baker"]
    page = auth_client.get("/api/contacts?per_page=2&page=2").get_json()
    assert page["total"] == 4 and page["page"] == 2 and page["per_page"] == 2
    assert [c["name"] for c in page["items"]] == ["Tom Baker", "Zoë Ng"]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=1000", "page=0", "kind=enemy", "page=x"])
def test_bad_list_arguments_are_422(auth_client, query):
    r = auth_client.get(f"/api/contacts?{query}")
    assert r.status_code == 422
    assert r.get_json()["errors"]


def test_contacts_need_sign_in(client):
    assert client.get("/api/contacts").status_code == 401
    assert client.post("/api/contacts", json={"name": "x"}).status_code == 401


def test_nul_characters_are_refused_alike_on_every_database(auth_client, app):
    r = auth_client.post("/api/contacts", json={"name": "Ann\x00", "tags": ["ok"]})
    assert r.status_code == 422
    assert "NUL" in r.get_json()["message"]
    r = auth_client.post("/api/contacts", json={"name": "Ann", "notes": {"x": 1} and "a\x00b"})
    assert r.status_code == 422
    assert auth_client.get("/api/contacts?q=a%00b").status_code == 422
    assert contact_count(app) == 0
