"""The sender against a real decrypting push service."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.keys import vapid_public_key
from server.outbound import guarded_poster
from server.push.payload import MAX_PLAINTEXT_BYTES, build_payload, encode_payload, topic_for
from server.push.sender import parse_retry_after, send_push
from tests.push_service import PushService


def _pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


PEM = _pem()
SUBJECT = "mailto:owner@example.org"


def _send(service: PushService, sub: dict, data: bytes, **kw):
    return send_push(
        sub, data, vapid_private_pem=PEM, subject=SUBJECT,
        session=guarded_poster(allow_private=True), topic=kw.pop("topic", "t1"),
        ttl=kw.pop("ttl", 600), urgency=kw.pop("urgency", "high"), timeout=kw.pop("timeout", (2, 2)),
    )


def _payload(body: str = "What did you give, what did you get?") -> dict:
    return build_payload(kind="meeting", title="Lunch with Tom Baker just ended", body=body,
                         url="/log?meeting=7", tag="rapport:meeting:7",
                         base_url="https://rapport.example.org")


def test_device_decrypts_exactly_what_was_sent_with_headers():
    with PushService(expected_public_key=vapid_public_key(PEM), expected_subject=SUBJECT) as svc:
        sub = svc.new_subscription()
        result = _send(svc, sub, encode_payload(_payload()), topic=topic_for("meeting:7"))
        assert result.outcome == "sent" and result.status == 201
        [message] = svc.messages
        assert message.error is None
        assert message.payload["title"] == "Lunch with Tom Baker just ended"
        assert message.payload["url"] == "/log?meeting=7"
        assert message.payload["kind"] == "meeting"
        # The same object is a Declarative Web Push message.
        assert message.payload["web_push"] == 8030
        assert message.payload["notification"]["navigate"] == (
            "https://rapport.example.org/log?meeting=7"
        )
        assert message.payload["notification"]["tag"] == message.payload["tag"]
        assert message.topic == topic_for("meeting:7")
        assert message.urgency == "high" and message.ttl == "600"
        assert message.claims["aud"] == svc.url and message.claims["sub"] == SUBJECT


def test_every_call_gets_fresh_claims_for_its_own_audience():
    with PushService() as one, PushService() as two:
        assert _send(one, one.new_subscription(), b'{"a":1}').outcome == "sent"
        assert _send(two, two.new_subscription(), b'{"a":2}').outcome == "sent"
        assert one.messages[0].claims["aud"] == one.url
        assert two.messages[0].claims["aud"] == two.url
        assert [one.received, two.received] == [[{"a": 1}], [{"a": 2}]]


def test_a_foreign_key_is_refused_by_the_service():
    with PushService(expected_public_key=vapid_public_key(_pem())) as svc:
        result = _send(svc, svc.new_subscription(), b"{}")
        assert result.outcome == "rejected" and result.status == 401
        assert svc.received == []


def test_long_text_is_shortened_to_fit_one_record():
    data = encode_payload(_payload(body="é" * 5000))
    assert len(data) <= MAX_PLAINTEXT_BYTES
    decoded = json.loads(data)
    assert decoded["body"].endswith("…") and decoded["notification"]["body"] == decoded["body"]
    with PushService() as svc:
        assert _send(svc, svc.new_subscription(), data).outcome == "sent"
        assert svc.messages[0].plaintext_size == len(data)
        assert svc.messages[0].body_size <= 4096


def test_status_codes_map_to_outcomes():
    with PushService() as svc:
        sub = svc.new_subscription()
        for status, outcome in [(404, "gone"), (410, "gone"), (413, "rejected"),
                                (500, "retry"), (503, "retry"), (400, "rejected")]:
            svc.reply(status)
            assert _send(svc, sub, b"{}").outcome == outcome, status
        svc.reply(429, retry_after=120)
        result = _send(svc, sub, b"{}")
        assert (result.outcome, result.retry_after) == ("rate_limited", 120.0)


def test_a_hanging_service_times_out_as_retry():
    with PushService() as svc:
        svc.hang()
        result = _send(svc, svc.new_subscription(), b"{}", timeout=(1, 0.3))
        assert result.outcome == "retry" and result.status is None
        assert svc.received == []


def test_redirects_are_not_followed():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with PushService() as svc:
            sub = svc.new_subscription()
        sub["endpoint"] = f"http://127.0.0.1:{server.server_address[1]}/push/x"
        result = _send(svc, sub, b"{}")
        assert result.outcome == "rejected" and result.status == 307
        assert hits == ["/push/x"]
    finally:
        server.shutdown()
        server.server_close()


def test_private_addresses_are_refused_without_the_development_switch():
    with PushService() as svc:
        sub = svc.new_subscription()
        result = send_push(sub, b"{}", vapid_private_pem=PEM, subject=SUBJECT,
                           session=guarded_poster(allow_private=False), topic="t", ttl=60)
        assert result.outcome in ("rejected", "retry")
        assert svc.messages == []


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Sun, 01 Mar 2026 12:02:00 GMT", now) == 120.0
    assert parse_retry_after("soon", now) is None
