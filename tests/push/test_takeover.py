"""Push subscription takeover: another user's endpoint is refused unless the caller proves it
is that browser with the same keys; the original owner keeps the device otherwise."""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models.push import PushSubscription
from tests.conftest import login


def owner_of(app, endpoint: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(PushSubscription.user_id).where(PushSubscription.endpoint == endpoint))


def attacker(app, make_user):
    mallory = make_user("mallory@example.com")
    client = app.test_client()
    login(client, mallory.email)
    return mallory, client


def test_posting_someone_elses_endpoint_with_other_keys_is_refused(app, auth_client, push_service, user, make_user):
    sub = push_service.new_subscription("Maya's phone")
    assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    _, mallory = attacker(app, make_user)
    own_keys = push_service.new_subscription()["keys"]
    r = mallory.post("/api/push/subscriptions", json={"endpoint": sub["endpoint"], "keys": own_keys})
    assert r.status_code == 409
    assert r.get_json()["code"] == 409
    half = {"p256dh": sub["keys"]["p256dh"], "auth": own_keys["auth"]}  # the public half is not proof
    assert mallory.post("/api/push/subscriptions", json={"endpoint": sub["endpoint"], "keys": half}).status_code == 409
    assert owner_of(app, sub["endpoint"]) == user.id
    assert mallory.get("/api/push/subscriptions").get_json() == []
    assert [d["user_agent"] for d in auth_client.get("/api/push/subscriptions").get_json()] == ["Maya's phone"]
    with app.app_context():
        row = db.session.scalar(select(PushSubscription))
        assert (row.p256dh, row.auth) == (sub["keys"]["p256dh"], sub["keys"]["auth"])


def test_the_same_browser_signing_in_as_someone_else_moves_its_device(app, auth_client, push_service, user, make_user):
    sub = push_service.new_subscription("Shared tablet")
    assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    other, client = attacker(app, make_user)
    r = client.post("/api/push/subscriptions", json=sub)  # same endpoint and the same keys
    assert r.status_code == 200
    assert owner_of(app, sub["endpoint"]) == other.id
    assert auth_client.get("/api/push/subscriptions").get_json() == []


def test_the_owner_may_renew_the_keys_of_their_own_device(app, auth_client, push_service, user):
    sub = push_service.new_subscription()
    assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    renewed = {"endpoint": sub["endpoint"], "keys": push_service.new_subscription()["keys"]}
    assert auth_client.post("/api/push/subscriptions", json=renewed).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(PushSubscription.auth)) == renewed["keys"]["auth"]
