"""Personal API tokens: created once, used as Bearer, revoked, expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import ApiToken, Contact


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_is_shown_once_and_works_without_cookie_or_csrf(app, auth_client):
    r = auth_client.post("/api/tokens", json={"name": "Shortcuts"})
    assert r.status_code == 201
    token = r.get_json()["token"]
    assert token.startswith("rpt_")
    listed = auth_client.get("/api/tokens").get_json()
    assert [t["name"] for t in listed] == ["Shortcuts"]
    assert "token" not in listed[0]
    script = app.test_client()
    r = script.post("/api/contacts", json={"name": "From a script"}, headers=bearer(token), csrf=False)
    assert r.status_code == 201
    assert script.get("/api/auth/me", headers=bearer(token)).get_json()["email"] == "maya@example.com"
    with app.app_context():
        assert token not in db.session.scalar(select(ApiToken.token_hash))


def test_revoked_token_is_401(app, auth_client):
    r = auth_client.post("/api/tokens", json={"name": "Tasker"}).get_json()
    assert auth_client.delete(f"/api/tokens/{r['id']}").status_code == 204
    script = app.test_client()
    assert script.get("/api/contacts", headers=bearer(r["token"])).status_code == 401
    resp = script.post("/api/contacts", json={"name": "x"}, headers=bearer(r["token"]), csrf=False)
    assert resp.status_code == 401
    assert "token" in resp.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(Contact)) is None


def test_expired_token_is_401(app, auth_client):
    r = auth_client.post("/api/tokens", json={"name": "Old", "expires_in_days": 1}).get_json()
    with app.app_context():
        row = db.session.get(ApiToken, r["id"])
        row.expires_at = row.expires_at - timedelta(days=2)
        db.session.commit()
    assert app.test_client().get("/api/contacts", headers=bearer(r["token"])).status_code == 401


def test_garbage_bearer_is_401(client):
    assert client.get("/api/contacts", headers=bearer("rpt_nope")).status_code == 401
    assert client.get("/api/contacts", headers={"Authorization": "Basic abc"}).status_code == 401


def test_token_name_is_required(auth_client):
    r = auth_client.post("/api/tokens", json={})
    assert r.status_code == 422
    assert "name" in r.get_json()["errors"]


def test_foreign_token_is_404(app, auth_client, make_user):
    from tests.conftest import login

    other = app.test_client()
    login(other, make_user().email)
    theirs = other.post("/api/tokens", json={"name": "theirs"}).get_json()
    assert auth_client.delete(f"/api/tokens/{theirs['id']}").status_code == 404
    assert other.get("/api/auth/me", headers=bearer(theirs["token"])).status_code == 200


def make_token(client, *scopes: str, **fields) -> str:
    body = {"name": "-".join(scopes) or "default", **fields}
    if scopes:
        body["scopes"] = list(scopes)
    r = client.post("/api/tokens", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


LOG_UUID = "3f1c3e5e-8d4b-4c1e-9a57-0c1b2f7e9a10"


def log_body(contact_id: int, notes: str = "") -> dict:
    return {"occurred_at": "2026-01-05T10:00:00+00:00", "kind": "call",
            "contact_ids": [contact_id], "notes": notes}


def test_new_tokens_default_to_write_and_list_their_scopes(auth_client):
    make_token(auth_client)
    make_token(auth_client, "read", "log")
    listed = auth_client.get("/api/tokens").get_json()
    assert [t["scopes"] for t in listed] == [["write"], ["read", "log"]]


def test_unknown_scope_or_none_is_422(auth_client):
    for scopes in (["root"], [], "write"):
        r = auth_client.post("/api/tokens", json={"name": "x", "scopes": scopes})
        assert r.status_code == 422, scopes
        assert "scopes" in r.get_json()["errors"]
    assert auth_client.get("/api/tokens").get_json() == []


def test_read_token_reads_but_cannot_write(app, auth_client, user, make_contact):
    tom = make_contact(user)
    token = make_token(auth_client, "read")
    script = app.test_client()
    assert script.get("/api/contacts", headers=bearer(token)).status_code == 200
    assert script.get(f"/api/contacts/{tom.id}", headers=bearer(token)).status_code == 200
    for method, path, body in [
        ("POST", "/api/contacts", {"name": "Nope"}),
        ("PATCH", f"/api/contacts/{tom.id}", {"notes": "changed"}),
        ("PUT", f"/api/interactions/{LOG_UUID}", log_body(tom.id)),
        ("DELETE", f"/api/contacts/{tom.id}", None),
    ]:
        r = script.open(path, method=method, json=body, headers=bearer(token))
        assert r.status_code == 403, (method, path)
        assert "'write'" in r.get_json()["message"] or "'log'" in r.get_json()["message"]
    with app.app_context():
        assert [c.notes for c in db.session.scalars(select(Contact))] == [""]


def test_log_token_creates_and_replays_entries_only(app, auth_client, user, make_contact):
    from server.models.interactions import Interaction

    tom = make_contact(user)
    token = make_token(auth_client, "log")
    script = app.test_client()
    r = script.put(f"/api/interactions/{LOG_UUID}", json=log_body(tom.id, "met"), headers=bearer(token))
    assert r.status_code == 201
    replay = script.put(f"/api/interactions/{LOG_UUID}", json=log_body(tom.id, "met"), headers=bearer(token))
    assert replay.status_code == 200
    edit = script.put(f"/api/interactions/{LOG_UUID}", json=log_body(tom.id, "rewritten"), headers=bearer(token))
    assert edit.status_code == 403
    for path in ("/api/contacts", "/api/interactions", f"/api/interactions/{LOG_UUID}"):
        assert script.get(path, headers=bearer(token)).status_code == 403, path
    assert script.delete(f"/api/interactions/{LOG_UUID}", headers=bearer(token)).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(Interaction.notes)).all() == ["met"]


def test_write_token_cannot_touch_tokens_account_or_export(app, auth_client, user):
    token = make_token(auth_client, "write")
    script = app.test_client()
    for method, path, body in [
        ("POST", "/api/tokens", {"name": "more"}),
        ("GET", "/api/tokens", None),
        ("DELETE", "/api/tokens", None),
        ("POST", "/api/auth/logout-all", None),
        ("GET", "/api/auth/sessions", None),
        ("POST", "/api/auth/password", {"current": "x", "new": "y"}),
        ("DELETE", "/api/auth/me", {"password": "x"}),
        ("PATCH", "/api/auth/me", {"name": "Hijacked"}),
        ("GET", "/api/export.json", None),
        ("GET", "/api/contacts/export.vcf", None),
        ("POST", "/api/import.json", {"format": "rapport-backup"}),
        ("GET", "/api/calendar-feed", None),
    ]:
        r = script.open(path, method=method, json=body, headers=bearer(token))
        assert r.status_code == 403, (method, path, r.get_json())
        assert "'admin'" in r.get_json()["message"]
    assert script.get("/api/auth/me", headers=bearer(token)).get_json()["name"] == "Maya"
    assert len(auth_client.get("/api/tokens").get_json()) == 1
    assert auth_client.get("/api/auth/sessions").status_code == 200  # the browser is still in


def test_admin_token_manages_tokens_and_exports(app, auth_client):
    token = make_token(auth_client, "admin")
    script = app.test_client()
    r = script.post("/api/tokens", json={"name": "child", "scopes": ["read"]}, headers=bearer(token))
    assert r.status_code == 201
    assert script.get("/api/export.json", headers=bearer(token)).status_code == 200
    assert len(script.get("/api/tokens", headers=bearer(token)).get_json()) == 2


def test_token_expiry_option_is_kept_and_shown(auth_client):
    make_token(auth_client, "log", expires_in_days=30)
    (listed,) = auth_client.get("/api/tokens").get_json()
    assert listed["expires_at"] is not None
    assert listed["last_used_at"] is None


def test_last_used_time_is_recorded(app, auth_client):
    token = make_token(auth_client, "read")
    app.test_client().get("/api/contacts", headers=bearer(token))
    (listed,) = auth_client.get("/api/tokens").get_json()
    assert listed["last_used_at"] is not None


def test_delete_all_tokens_revokes_every_one(app, auth_client, make_user):
    from tests.conftest import login

    mine = [make_token(auth_client, "read"), make_token(auth_client, "write")]
    other = app.test_client()
    login(other, make_user().email)
    theirs = make_token(other, "read")
    r = auth_client.delete("/api/tokens")
    assert r.status_code == 200 and r.get_json() == {"revoked": 2}
    script = app.test_client()
    for token in mine:
        assert script.get("/api/contacts", headers=bearer(token)).status_code == 401
    assert script.get("/api/contacts", headers=bearer(theirs)).status_code == 200


def test_password_change_can_revoke_all_tokens(app, auth_client):
    from tests.conftest import PASSWORD

    kept = make_token(auth_client, "read")
    r = auth_client.post("/api/auth/password", json={"current": PASSWORD, "new": "a fresh long secret"})
    assert r.status_code == 204
    assert app.test_client().get("/api/contacts", headers=bearer(kept)).status_code == 200
    r = auth_client.post(
        "/api/auth/password",
        json={"current": "a fresh long secret", "new": "another long secret", "revoke_tokens": True},
    )
    assert r.status_code == 204
    assert app.test_client().get("/api/contacts", headers=bearer(kept)).status_code == 401
    assert auth_client.get("/api/tokens").get_json() == []


def test_every_scope_rule_names_a_real_route(app):
    from server.scopes import ADMIN_BLUEPRINTS, ENDPOINT_SCOPES

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(ENDPOINT_SCOPES) <= endpoints
    assert {e.partition(".")[0] for e in endpoints} >= ADMIN_BLUEPRINTS
