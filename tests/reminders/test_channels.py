"""The second channel: e-mail over a real SMTP server on loopback, ntfy through the guarded
session to a loopback HTTP server; same outbox row, never twice, no notes unless wanted."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from server.channels import channel_context_from_app
from server.extensions import db
from server.models.push import ChannelDelivery, Notification
from server.push.delivery import deliver_due
from server.reminders.planning import delivery_rules, plan_for_user
from tests.push.helpers import fixed
from tests.reminders.conftest import BASE

START = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)
DUE = START + timedelta(minutes=35)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(app) -> Iterator[Inbox]:
    """A real SMTP server on loopback, and the app configured to use it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_TLS="off",
                      SMTP_FROM="Rapport <rapport@example.org>")
    yield inbox
    controller.stop()


@pytest.fixture
def ntfy() -> Iterator[dict[str, Any]]:
    """A loopback HTTP server that records what is published to it."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            seen.append({"path": parts.path, "query": parse_qs(parts.query),
                         "body": self.rfile.read(length).decode()})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}/rapport-maya", "seen": seen}
    server.shutdown()
    server.server_close()


def _prompt(app, auth_client, user, make_contact, meeting):
    """A meeting with Tom, who has a challenge noted in a private log; its prompt planned."""
    auth_client.patch("/api/settings", json={"digest_enabled": False})  # Monday: digest day
    tom = make_contact(user, name="Tom Baker", emails=["tom@example.com"])
    auth_client.put(f"/api/interactions/{uuid.uuid4()}", json={
        "occurred_at": "2026-05-01T10:00:00Z", "kind": "call", "contact_ids": [tom.id],
        "challenge": "his divorce"})
    lunch = meeting(user, START, "Lunch with Tom", people=[("tom@example.com", "Tom", tom.id)])
    with app.app_context():
        plan_for_user(user.id, START, BASE)
    return lunch


def _deliver(app, push_ctx):
    with app.app_context():
        rules = delivery_rules(channel_context_from_app(app))
        return deliver_due(push_ctx, DUE, "w", rules=rules, clock=fixed(DUE))


def _row(app, key):
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(Notification).where(Notification.key == key))


def test_no_device_means_an_email_with_the_same_link_and_no_private_notes(
        app, auth_client, user, make_contact, meeting, smtp, push_ctx):
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    assert _deliver(app, push_ctx) == {"sent": 1}
    [mail] = smtp.messages
    assert mail["To"] == user.email and mail["Subject"] == "Lunch with Tom just ended"
    text = mail.get_content()
    assert f"{app.config['BASE_URL']}/log?meeting={lunch}" in text
    assert "divorce" not in text and "What did you give" not in text
    assert mail.get_content_type() == "text/plain"
    row = _row(app, f"meeting:{lunch}")
    assert row.state == "sent" and row.outcome == "email: sent"


def test_details_only_when_the_user_turns_them_on(app, auth_client, user, make_contact,
                                                  meeting, smtp, push_ctx):
    auth_client.patch("/api/settings", json={"channel_details": True})
    _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    [mail] = smtp.messages
    assert "On their mind: his divorce" in mail.get_content()


def test_a_retried_row_never_sends_a_second_email(app, auth_client, user, make_contact,
                                                  meeting, smtp, push_ctx):
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    with app.app_context():  # as if the worker died before recording the outcome
        db.session.execute(update(Notification).values(state="pending", lease_owner=None,
                                                       lease_until=None))
        db.session.commit()
    _deliver(app, push_ctx)
    assert len(smtp.messages) == 1
    with app.app_context():
        rows = list(db.session.scalars(select(ChannelDelivery)))
    assert [(r.channel, r.state) for r in rows] == [("email", "sent")]
    assert _row(app, f"meeting:{lunch}").state == "sent"


def test_a_dead_only_device_falls_back_to_email(app, auth_client, user, make_contact, meeting,
                                                smtp, push_ctx, push_service, add_device):
    sub, _ = add_device(user.id)
    push_service.reply(410, endpoint=sub["endpoint"])
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    assert len(smtp.messages) == 1
    row = _row(app, f"meeting:{lunch}")
    assert row.state == "sent" and row.outcome.endswith("email: sent")


def test_a_working_device_gets_the_push_and_no_email(app, auth_client, user, make_contact,
                                                     meeting, smtp, push_ctx, push_service,
                                                     add_device):
    add_device(user.id)
    _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    assert len(push_service.received) == 1 and smtp.messages == []


def test_ntfy_in_the_users_order_before_email(app, auth_client, user, make_contact, meeting,
                                              smtp, ntfy, push_ctx):
    changed = auth_client.patch("/api/settings", json={
        "fallback_channels": ["ntfy", "email"], "ntfy_topic_url": ntfy["url"]})
    assert changed.status_code == 200, changed.get_json()
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    [published] = ntfy["seen"]
    link = f"{app.config['BASE_URL']}/log?meeting={lunch}"
    assert published["path"] == "/rapport-maya"
    assert published["query"]["title"] == ["Lunch with Tom just ended"]
    assert published["query"]["click"] == [link]
    assert link in published["body"] and "divorce" not in published["body"]
    assert smtp.messages == []


def test_ntfy_down_falls_through_to_email(app, auth_client, user, make_contact, meeting, smtp,
                                          push_ctx):
    auth_client.patch("/api/settings", json={
        "fallback_channels": ["ntfy", "email"],
        "ntfy_topic_url": f"http://127.0.0.1:{_free_port()}/nobody"})
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    assert len(smtp.messages) == 1
    outcome = _row(app, f"meeting:{lunch}").outcome
    assert outcome.startswith("ntfy: ntfy did not answer") and outcome.endswith("email: sent")


def test_without_smtp_or_ntfy_nothing_changes(app, auth_client, user, make_contact, meeting,
                                              push_ctx):
    lunch = _prompt(app, auth_client, user, make_contact, meeting)
    _deliver(app, push_ctx)
    row = _row(app, f"meeting:{lunch}")
    assert (row.state, row.outcome) == ("skipped", "no device is registered for push")


def test_channel_settings_are_validated(auth_client):
    assert auth_client.patch("/api/settings", json={"fallback_channels": ["pigeon"]}
                             ).status_code == 422
    assert auth_client.patch("/api/settings", json={"ntfy_topic_url": "ntfy.sh/x"}
                             ).status_code == 422
    saved = auth_client.patch("/api/settings", json={"fallback_channels": ["ntfy", "ntfy"]})
    assert saved.get_json()["fallback_channels"] == ["ntfy"]





def test_the_worker_pass_uses_the_configured_mail_server(app, auth_client, user, make_contact,
                                                         meeting, smtp):
    from server.worker import run_pass

    lunch = meeting(user, START, "Lunch with Ana", people=[("ana@example.com", "Ana", None)])
    auth_client.patch("/api/settings", json={"digest_enabled": False})
    with app.app_context():
        figures = run_pass(DUE, owner="w", sync_calendars=False)
    assert figures["notifications_sent"] == 1
    [mail] = smtp.messages
    assert mail["Subject"] == "Lunch with Ana just ended"
    assert _row(app, f"meeting:{lunch}").outcome == "email: sent"
