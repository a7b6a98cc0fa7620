"""Accounts: register, log in and out, sessions, CSRF, throttling, profile, deletion."""

from __future__ import annotations

from sqlalchemy import func, select

from server.extensions import db
from server.models import Contact, User, UserSession
from tests.conftest import PASSWORD, login


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_register_creates_account_and_signs_in(client, app):
    r = client.post(
        "/api/auth/register",
        json={"email": "Tom@Example.com", "password": "a good long one", "name": "Tom",
              "timezone": "Europe/Berlin"},
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["email"] == "tom@example.com"
    assert body["timezone"] == "Europe/Berlin"
    assert "password_hash" not in body
    assert client.get("/api/auth/me").get_json()["name"] == "Tom"
    with app.app_context():
        stored = db.session.scalar(select(User))
        assert stored.password_hash.startswith("$argon2id$")


def test_first_account_is_admin_and_later_ones_are_not(client, app):
    client.post("/api/auth/register", json={"email": "a@example.com", "password": "first one here"})
    other = app.test_client()
    r = other.post("/api/auth/register", json={"email": "b@example.com", "password": "second one here"})
    assert r.status_code == 201
    assert client.get("/api/auth/me").get_json()["is_admin"] is True
    assert other.get("/api/auth/me").get_json()["is_admin"] is False


def test_duplicate_email_is_409_case_insensitively(client, make_user, app):
    make_user("maya@example.com")
    r = client.post("/api/auth/register", json={"email": "MAYA@example.com", "password": "whatever long"})
    assert r.status_code == 409
    assert r.get_json()["code"] == 409
    assert count(app, User) == 1


def test_register_validation_errors_name_fields(client, app):
    r = client.post(
        "/api/auth/register",
        json={"email": "not-an-email", "password": "x", "timezone": "Mars/Olympus", "extra": 1},
    )
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert {"email", "timezone", "extra"} <= set(errors)
    assert count(app, User) == 0


def test_weak_and_common_passwords_are_refused(client, app):
    for password in ("short", "password123", "aaaaaaaaaaa"):
        r = client.post("/api/auth/register", json={"email": "x@example.com", "password": password})
        assert r.status_code == 422, password
        assert "password" in r.get_json()["errors"]
    assert count(app, User) == 0


def test_login_wrong_password_is_401_and_unknown_email_too(client, user):
    r = client.post("/api/auth/login", json={"email": user.email, "password": "nope nope nope"})
    assert r.status_code == 401
    r = client.post("/api/auth/login", json={"email": "ghost@example.com", "password": PASSWORD})
    assert r.status_code == 401
    assert r.get_json()["message"] == "Wrong e-mail or password."
    assert client.get("/api/auth/me").status_code == 401


def test_me_requires_sign_in(client):
    r = client.get("/api/auth/me")
    assert r.status_code == 401
    assert r.get_json() == {"code": 401, "message": "Please sign in."}


def test_unsafe_request_without_csrf_token_is_400(app, user):
    c = app.test_client()
    r = c.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}, csrf=False)
    assert r.status_code == 400
    assert "CSRF" in r.get_json()["message"]
    assert c.get("/api/auth/me").status_code == 401


def test_csrf_token_is_required_on_every_cookie_write(auth_client, app):
    r = auth_client.post("/api/contacts", json={"name": "Ann"}, csrf=False)
    assert r.status_code == 400
    r = auth_client.post("/api/contacts", json={"name": "Ann"}, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400
    assert count(app, Contact) == 0


MULTIPART = "multipart/form-data; boundary=XX"


def test_multipart_bodies_of_any_shape_get_a_clear_answer_not_a_500(auth_client, app):
    """A part with no name, a file with no field, a body that is not multipart at all."""
    bodies = [
        b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n",
        b'--XX\r\nContent-Disposition: form-data; filename="a.vcf"\r\n\r\nBEGIN\r\n--XX--\r\n',
        b"--XX\r\n\r\nvalue\r\n--XX--\r\n",
        b"garbage",
    ]
    for path in ["/api/contacts", "/api/contacts/import", "/api/calendars/upload"]:
        for body in bodies:
            r = auth_client.post(path, data=body, content_type=MULTIPART)
            assert 400 <= r.status_code < 500, (path, body, r.status_code)
            r = auth_client.post(path, data=body, content_type=MULTIPART, csrf=False)
            assert r.status_code == 400 and "CSRF" in r.get_json()["message"], (path, body)
    assert count(app, Contact) == 0


def test_csrf_token_in_a_form_field_does_not_stand_in_for_the_header(auth_client, app):
    token = auth_client.get("/api/auth/csrf").get_json()["csrf_token"]
    body = f"--XX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
    body += "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAnn\r\n--XX--\r\n"
    r = auth_client.post("/api/contacts", data=body.encode(), content_type=MULTIPART, csrf=False)
    assert r.status_code == 400
    assert count(app, Contact) == 0


def test_remember_me_cookie_lasts_months(client, user):
    r = login(client, user.email)
    cookies = r.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("rapport_remember=")]
    assert remember, cookies
    assert "HttpOnly" in remember[0]
    assert "SameSite=Lax" in remember[0]
    assert "Expires=" in remember[0]
    session = [c for c in cookies if c.startswith("rapport_session=")][0]
    assert "HttpOnly" in session


def test_remember_cookie_alone_signs_in_until_logout(app, user):
    c = app.test_client()
    login(c, user.email)
    remember = c.get_cookie("rapport_remember")
    fresh = app.test_client()
    fresh.set_cookie("rapport_remember", remember.value)
    assert fresh.get("/api/auth/me").status_code == 200
    assert c.post("/api/auth/logout").status_code == 204
    stale = app.test_client()
    stale.set_cookie("rapport_remember", remember.value)
    assert stale.get("/api/auth/me").status_code == 401


def test_logout_ends_only_this_session(app, user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user.email)
    login(laptop, user.email)
    copied = phone.get_cookie("rapport_session").value
    assert phone.post("/api/auth/logout").status_code == 204
    assert phone.get("/api/auth/me").status_code == 401
    assert laptop.get("/api/auth/me").status_code == 200
    replay = app.test_client()
    replay.set_cookie("rapport_session", copied)
    assert replay.get("/api/auth/me").status_code == 401


def test_password_change_ends_other_sessions_and_keeps_this_one(app, user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user.email)
    login(laptop, user.email)
    r = phone.post("/api/auth/password", json={"current": PASSWORD, "new": "a brand new secret"})
    assert r.status_code == 204
    assert phone.get("/api/auth/me").status_code == 200
    assert laptop.get("/api/auth/me").status_code == 401
    assert app.test_client().post(
        "/api/auth/login", json={"email": user.email, "password": PASSWORD}
    ).status_code == 401
    login(app.test_client(), user.email, "a brand new secret")


def test_password_change_needs_current_password(auth_client):
    r = auth_client.post("/api/auth/password", json={"current": "wrong wrong", "new": "another good one"})
    assert r.status_code == 401
    r = auth_client.post("/api/auth/password", json={"current": PASSWORD, "new": "short"})
    assert r.status_code == 422


def test_sign_out_everywhere(app, user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user.email)
    login(laptop, user.email)
    assert phone.post("/api/auth/logout-all").status_code == 204
    assert phone.get("/api/auth/me").status_code == 401
    assert laptop.get("/api/auth/me").status_code == 401
    assert count(app, UserSession) == 0


def test_sessions_list_and_revoke_one(app, user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user.email)
    login(laptop, user.email)
    sessions = phone.get("/api/auth/sessions").get_json()
    assert len(sessions) == 2
    other = next(s for s in sessions if not s["current"])
    assert phone.delete(f"/api/auth/sessions/{other['id']}").status_code == 204
    assert laptop.get("/api/auth/me").status_code == 401
    assert phone.get("/api/auth/me").status_code == 200


def test_foreign_session_id_is_404(app, make_user):
    a, b = make_user(), make_user()
    ca, cb = app.test_client(), app.test_client()
    login(ca, a.email)
    login(cb, b.email)
    b_session = cb.get("/api/auth/sessions").get_json()[0]["id"]
    assert ca.delete(f"/api/auth/sessions/{b_session}").status_code == 404
    assert cb.get("/api/auth/me").status_code == 200


def test_update_profile(auth_client, user):
    r = auth_client.patch("/api/auth/me", json={"name": "Maya K", "timezone": "Asia/Tokyo"})
    assert r.status_code == 200
    assert r.get_json()["timezone"] == "Asia/Tokyo"
    r = auth_client.patch("/api/auth/me", json={"timezone": "Nowhere/Land"})
    assert r.status_code == 422
    assert auth_client.get("/api/auth/me").get_json()["timezone"] == "Asia/Tokyo"


def test_email_change_needs_password_and_must_be_free(auth_client, make_user):
    make_user("taken@example.com")
    r = auth_client.patch("/api/auth/me", json={"email": "new@example.com"})
    assert r.status_code == 401
    r = auth_client.patch("/api/auth/me", json={"email": "taken@example.com", "password": PASSWORD})
    assert r.status_code == 409
    r = auth_client.patch("/api/auth/me", json={"email": "New@example.com", "password": PASSWORD})
    assert r.status_code == 200
    assert r.get_json()["email"] == "new@example.com"


def test_delete_account_removes_everything_it_owns(app, auth_client, user, make_user, make_contact):
    other = make_user()
    make_contact(user, name="Tom", emails=["tom@example.com"], tags=["x"])
    make_contact(other, name="Kept")
    r = auth_client.delete("/api/auth/me", json={"password": "wrong password"})
    assert r.status_code == 401
    assert count(app, User) == 2
    r = auth_client.delete("/api/auth/me", json={"password": PASSWORD})
    assert r.status_code == 204
    assert auth_client.get("/api/auth/me").status_code == 401
    with app.app_context():
        assert db.session.scalars(select(User.email)).all() == [other.email]
        assert db.session.scalars(select(Contact.name)).all() == ["Kept"]


def test_login_is_throttled_per_account(app_factory, make_user):
    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    make_user("victim@example.com")
    c = app.test_client()
    statuses = [
        c.post("/api/auth/login", json={"email": "victim@example.com", "password": "guess guess"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert "Retry-After" in c.post(
        "/api/auth/login", json={"email": "victim@example.com", "password": PASSWORD}
    ).headers
    # Another account from the same address is not locked out.
    make_user("other@example.com")
    assert c.post("/api/auth/login", json={"email": "other@example.com", "password": PASSWORD}).status_code == 200


def test_invite_only_registration(app_factory):
    app = app_factory(RAPPORT_REGISTRATION="invite")
    admin = app.test_client()
    r = admin.post("/api/auth/register", json={"email": "admin@example.com", "password": "admin's own pw"})
    assert r.status_code == 201
    stranger = app.test_client()
    r = stranger.post("/api/auth/register", json={"email": "s@example.com", "password": "stranger pw here"})
    assert r.status_code == 403
    code = admin.post("/api/auth/invites").get_json()["code"]
    r = stranger.post(
        "/api/auth/register", json={"email": "s@example.com", "password": "stranger pw here", "invite": code}
    )
    assert r.status_code == 201
    again = app.test_client().post(
        "/api/auth/register", json={"email": "t@example.com", "password": "third pw here", "invite": code}
    )
    assert again.status_code == 403
    assert stranger.post("/api/auth/invites").status_code == 403


def test_closed_registration_still_allows_the_first_account(app_factory):
    app = app_factory(RAPPORT_REGISTRATION="closed")
    assert app.test_client().post(
        "/api/auth/register", json={"email": "owner@example.com", "password": "owner password"}
    ).status_code == 201
    assert app.test_client().post(
        "/api/auth/register", json={"email": "x@example.com", "password": "another password"}
    ).status_code == 403


def test_common_password_list_comes_from_a_breach_corpus_and_ignores_case(client, app):
    from server.auth import common_passwords, is_common_password

    assert len(common_passwords()) >= 10_000
    # Entries from deep in the Xato top list, not only the famous few; any capitalisation.
    for password in ("Dallas01", "GODSWILL", "Chelsea4", "PRINCESS1", "qwertyuiop"):
        assert is_common_password(password), password
        r = client.post("/api/auth/register", json={"email": "x@example.com", "password": password})
        assert r.status_code == 422, password
        assert "common" in r.get_json()["errors"]["password"][0]
    # Whole entries only: not a part of one, nor two of them joined by a line break.
    assert not is_common_password("allas01")
    assert not is_common_password("dallas01\ngodswill")
    assert count(app, User) == 0
