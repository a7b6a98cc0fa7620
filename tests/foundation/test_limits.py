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
