"""Uploads parsed inside a request, and the public feed, are throttled per address."""

from __future__ import annotations

import io


def test_contact_imports_are_throttled(app_factory, make_user):
    from tests.conftest import login

    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    client = app.test_client()
    login(client, make_user().email)
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n"

    def upload():
        return client.post("/api/contacts/import?dry_run=1",
                           data={"file": (io.BytesIO(card), "a.vcf")},
                           content_type="multipart/form-data")

    statuses = [upload().status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert upload().get_json()["code"] == 429


def test_outgoing_feed_is_throttled(app_factory):
    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    app.config["FEED_LIMIT"] = "3 per hour"
    client = app.test_client()
    statuses = [client.get("/calendar/not-a-real-secret.ics").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_test_push_is_throttled(app_factory, make_user):
    from tests.conftest import login

    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    client = app.test_client()
    login(client, make_user().email)
    statuses = [client.post("/api/push/test").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def throttled_client(app_factory, make_user, **config):
    from tests.conftest import login

    app = app_factory(RAPPORT_TEST_RATELIMIT="1")
    app.config.update(config)
    client = app.test_client()
    user = make_user()
    login(client, user.email)
    return app, client, user


def test_password_change_is_throttled_per_account(app_factory, make_user):
    _, client, _ = throttled_client(app_factory, make_user, PASSWORD_CHANGE_LIMIT="3 per hour")
    body = {"current": "a wrong guess", "new": "whatever long enough"}
    statuses = [client.post("/api/auth/password", json=body).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Even the right password waits now: guessing through a stolen session is capped.
    from tests.conftest import PASSWORD

    right = {"current": PASSWORD, "new": "whatever long enough"}
    assert client.post("/api/auth/password", json=right).status_code == 429


def test_account_deletion_is_throttled_per_account(app_factory, make_user):
    from server.extensions import db
    from server.models import User

    app, client, user = throttled_client(app_factory, make_user, ACCOUNT_DELETE_LIMIT="2 per hour")
    statuses = [client.delete("/api/auth/me", json={"password": "wrong guess"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    with app.app_context():
        assert db.session.get(User, user.id) is not None


def test_invitation_creation_is_throttled_per_account(app_factory, make_user):
    _, client, _ = throttled_client(app_factory, make_user, INVITE_LIMIT="2 per day")
    statuses = [client.post("/api/auth/invites").status_code for _ in range(3)]
    assert statuses[2] == 429
    assert statuses[:2] in ([201, 201], [403, 403])  # admin or not, the third call waits


def test_every_api_answer_says_no_store(auth_client, client):
    for c, method, path, body in [
        (auth_client, "GET", "/api/auth/me", None),
        (auth_client, "GET", "/api/contacts", None),
        (auth_client, "POST", "/api/contacts", {"name": "Ann"}),
        (auth_client, "POST", "/api/contacts", {"nope": 1}),
        (auth_client, "GET", "/api/export.json", None),
        (client, "GET", "/api/auth/me", None),
        (client, "GET", "/api/no-such-route", None),
        (client, "GET", "/api/openapi.json", None),
    ]:
        r = c.open(path, method=method, json=body)
        assert r.headers.get("Cache-Control") == "no-store", (method, path, r.status_code)
