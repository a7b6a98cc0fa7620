"""One identity per request: a bearer token ignores cookies; the CSRF token rotates at login
and logout, and a token from before (or from the previous user) is refused."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Contact, User
from tests.conftest import login


def signed_in_pair(app, make_user):
    """Browser B signed in as Bea, and a token of Al's."""
    al, bea = make_user("al@example.com", name="Al"), make_user("bea@example.com", name="Bea")
    al_browser, bea_browser = app.test_client(), app.test_client()
    login(al_browser, al.email)
    login(bea_browser, bea.email)
    token = al_browser.post("/api/tokens", json={"name": "al"}).get_json()["token"]
    return al, bea, bea_browser, token


def owners(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(select(Contact.name, User.email).join(User, User.id == Contact.user_id))
        return {name: email for name, email in rows}


def test_bearer_request_with_another_users_cookie_runs_as_the_token(app, make_user):
    _, _, bea_browser, token = signed_in_pair(app, make_user)
    headers = {"Authorization": f"Bearer {token}"}
    assert bea_browser.get("/api/auth/me", headers=headers).get_json()["email"] == "al@example.com"
    r = bea_browser.post("/api/contacts", json={"name": "Via token"}, headers=headers)
    assert r.status_code == 201
    assert owners(app) == {"Via token": "al@example.com"}
    assert "Set-Cookie" not in r.headers  # the browser's sign-in is neither read nor rewritten
    assert bea_browser.get("/api/auth/me").get_json()["email"] == "bea@example.com"


def test_bad_token_with_a_good_cookie_is_401_not_the_cookie_user(app, make_user):
    _, _, bea_browser, _ = signed_in_pair(app, make_user)
    for header in ("Bearer rpt_forged", "Basic YmVhOnNlY3JldA==", "Bearer "):
        r = bea_browser.post("/api/contacts", json={"name": "Sneaky"}, headers={"Authorization": header})
        assert r.status_code == 401, header
        assert bea_browser.get("/api/contacts", headers={"Authorization": header}).status_code == 401
    assert owners(app) == {}


def test_cookie_writes_still_need_csrf_without_a_token(app, make_user):
    _, _, bea_browser, _ = signed_in_pair(app, make_user)
    assert bea_browser.post("/api/contacts", json={"name": "x"}, csrf=False).status_code == 400
    assert owners(app) == {}


def csrf_of(client) -> str:
    return client.get("/api/auth/csrf").get_json()["csrf_token"]


def test_csrf_token_rotates_at_login_and_the_old_one_is_refused(app, user):
    browser = app.test_client()
    before = csrf_of(browser)
    r = browser.post("/api/auth/login", json={"email": user.email, "password": "correct horse battery"},
                     headers={"X-CSRFToken": before}, csrf=False)
    assert r.status_code == 200
    r = browser.post("/api/contacts", json={"name": "Ann"}, headers={"X-CSRFToken": before}, csrf=False)
    assert r.status_code == 400 and "CSRF" in r.get_json()["message"]
    after = csrf_of(browser)
    assert after != before
    r = browser.post("/api/contacts", json={"name": "Ann"}, headers={"X-CSRFToken": after}, csrf=False)
    assert r.status_code == 201


def test_previous_users_csrf_token_is_refused_after_logout_and_new_login(app, make_user):
    first, second = make_user("first@example.com"), make_user("second@example.com")
    browser = app.test_client()
    login(browser, first.email)
    first_token = csrf_of(browser)
    r = browser.post("/api/auth/logout", headers={"X-CSRFToken": first_token}, csrf=False)
    assert r.status_code == 204
    after_logout = csrf_of(browser)
    assert after_logout != first_token
    login(browser, second.email)
    for stale in (first_token, after_logout):
        r = browser.post("/api/contacts", json={"name": "x"}, headers={"X-CSRFToken": stale}, csrf=False)
        assert r.status_code == 400, stale
    assert owners(app) == {}
    r = browser.post("/api/contacts", json={"name": "Mine"}, headers={"X-CSRFToken": csrf_of(browser)},
                     csrf=False)
    assert r.status_code == 201
    assert owners(app) == {"Mine": "second@example.com"}


def test_on_https_every_answer_has_hsts_and_cookies_are_host_only(app_factory, make_user):
    app = app_factory(RAPPORT_BASE_URL="https://rapport.example")
    maya = make_user("maya@example.com")
    browser = app.test_client()
    for path in ("/", "/api/auth/me", "/api/no-such-route"):
        r = browser.get(path, base_url="https://rapport.example")
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000", path
        assert "Access-Control-Allow-Origin" not in r.headers
    token = browser.get("/api/auth/csrf", base_url="https://rapport.example").get_json()["csrf_token"]
    r = browser.post("/api/auth/login", json={"email": maya.email, "password": "correct horse battery"},
                     headers={"X-CSRFToken": token}, csrf=False, base_url="https://rapport.example")
    assert r.status_code == 200, r.get_json()
    cookies = r.headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("__Host-session=")]
    remember = [c for c in cookies if c.startswith("__Host-remember=")]
    assert session and remember, cookies
    for cookie in session + remember:
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
        assert "Domain=" not in cookie
