"""The push API: public key, device registration, test push, notification listing."""

from __future__ import annotations

import base64
import threading

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from server.extensions import db
from server.models.push import Notification, PushSubscription
from tests.conftest import login


def _count(app, user_id=None):
    with app.app_context():
        stmt = select(func.count()).select_from(PushSubscription)
        if user_id is not None:
            stmt = stmt.where(PushSubscription.user_id == user_id)
        return db.session.scalar(stmt)


def test_public_key_is_an_uncompressed_p256_point(client):
    key = client.get("/api/push/key").get_json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def test_subscribing_twice_from_one_device_keeps_one_row(app, auth_client, push_service, user):
    sub = push_service.new_subscription("Pixel 8")
    first = auth_client.post("/api/push/subscriptions", json=sub)
    assert first.status_code == 201, first.get_json()
    again = auth_client.post("/api/push/subscriptions", json=sub)
    assert again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    listed = auth_client.get("/api/push/subscriptions").get_json()
    assert [d["user_agent"] for d in listed] == ["Pixel 8"]
    assert "p256dh" not in listed[0] and "keys" not in listed[0]
    assert _count(app) == 1


def test_one_device_registered_from_several_requests_at_once_is_one_row(app, push_service, user):
    """The app's start and Settings may register the same new endpoint at the same moment."""
    sub = push_service.new_subscription("Pixel 8")
    clients = [app.test_client() for _ in range(6)]
    for c in clients:
        login(c, user.email)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def register(c) -> None:
        barrier.wait()
        statuses.append(c.post("/api/push/subscriptions", json=sub).status_code)

    threads = [threading.Thread(target=register, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert _count(app, user.id) == 1


def test_several_devices_are_capped_dropping_the_oldest(app, auth_client, push_service, user):
    app.config["PUSH_SUBSCRIPTIONS_PER_USER_MAX"] = 3
    endpoints = []
    for n in range(5):
        sub = push_service.new_subscription(f"device {n}")
        endpoints.append(sub["endpoint"])
        assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    listed = auth_client.get("/api/push/subscriptions").get_json()
    assert sorted(d["user_agent"] for d in listed) == ["device 2", "device 3", "device 4"]


def test_endpoints_outside_the_push_services_are_refused(app, auth_client, push_service):
    good = push_service.new_subscription()
    cases = {
        "http://fcm.googleapis.com/fcm/send/abc": "https://",
        "https://evil.example.com/push/abc": "push service",
        "https://fcm.googleapis.com.evil.example/x": "push service",
        "https://10.0.0.1/push": "push service",
        "not a url at all": None,
    }
    app.config["ALLOW_PRIVATE_URLS"] = False
    for endpoint, words in cases.items():
        response = auth_client.post("/api/push/subscriptions", json={**good, "endpoint": endpoint})
        assert response.status_code == 422, endpoint
        body = response.get_json()
        assert body["code"] == 422 and "endpoint" in body["errors"]
        if words:
            assert words in body["message"]
    # Loopback test services are refused too unless development mode allows them.
    assert auth_client.post("/api/push/subscriptions", json=good).status_code == 422
    assert _count(app) == 0


def test_known_push_services_and_configured_hosts_are_accepted(app, auth_client, push_service):
    keys = push_service.new_subscription()["keys"]
    app.config["ALLOW_PRIVATE_URLS"] = False
    app.config["PUSH_EXTRA_HOSTS"] = ("push.selfhosted.example",)
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGx3",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "https://push.selfhosted.example/p/1",
    ):
        response = auth_client.post("/api/push/subscriptions",
                                    json={"endpoint": endpoint, "keys": keys})
        assert response.status_code == 201, (endpoint, response.get_json())


def test_bad_keys_are_refused_and_nothing_is_written(app, auth_client, push_service):
    sub = push_service.new_subscription()
    bad_point = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode()
    for keys in ({"p256dh": bad_point, "auth": sub["keys"]["auth"]},
                 {"p256dh": sub["keys"]["p256dh"], "auth": "A" * 30},
                 {"p256dh": sub["keys"]["p256dh"]}):
        response = auth_client.post("/api/push/subscriptions", json={**sub, "keys": keys})
        assert response.status_code == 422, keys
    assert auth_client.post("/api/push/subscriptions", data="{",
                            content_type="application/json").status_code == 400
    assert _count(app) == 0


def test_subscriptions_need_a_session(client, push_service):
    response = client.post("/api/push/subscriptions", json=push_service.new_subscription())
    assert response.status_code in (400, 401)  # CSRF or sign-in first
    assert client.get("/api/push/subscriptions").status_code == 401


def test_unsubscribe_only_touches_own_devices(app, auth_client, push_service, make_user, user):
    sub = push_service.new_subscription()
    assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    other = make_user("other@example.com")
    other_client = app.test_client()
    login(other_client, other.email)
    gone = other_client.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]})
    assert gone.status_code == 404
    assert _count(app, user.id) == 1
    ok = auth_client.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]})
    assert ok.status_code == 204
    assert _count(app) == 0


def test_test_push_reports_each_device_and_drops_dead_ones(app, auth_client, push_service, user):
    alive = push_service.new_subscription("Phone")
    dead = push_service.new_subscription("Old laptop")
    for sub in (alive, dead):
        assert auth_client.post("/api/push/subscriptions", json=sub).status_code == 201
    push_service.reply(410, endpoint=dead["endpoint"])
    report = auth_client.post("/api/push/test").get_json()
    assert report["sent"] == 1
    by_label = {d["user_agent"]: d for d in report["devices"]}
    assert by_label["Phone"]["ok"] is True and by_label["Phone"]["status"] == 201
    assert by_label["Old laptop"]["removed"] is True and by_label["Old laptop"]["status"] == 410
    [payload] = push_service.received_for(alive["endpoint"])
    assert payload["kind"] == "test" and payload["url"] == "/settings"
    assert payload["notification"]["title"] == payload["title"]
    assert [d["user_agent"] for d in auth_client.get("/api/push/subscriptions").get_json()] == [
        "Phone"
    ]
    history = auth_client.get("/api/notifications").get_json()
    assert [(n["kind"], n["state"]) for n in history] == [("test", "sent")]


def test_notifications_list_is_private(app, auth_client, make_user, user):
    other = make_user("other@example.com")
    from datetime import UTC, datetime

    with app.app_context():
        now = datetime(2026, 1, 1, tzinfo=UTC)
        db.session.add(Notification(user_id=other.id, key="digest:x", kind="digest",
                                    scheduled_for=now, due_at=now, payload={}))
        db.session.commit()
    assert auth_client.get("/api/notifications").get_json() == []
