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
