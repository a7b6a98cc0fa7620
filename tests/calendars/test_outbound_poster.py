"""The guarded poster (push delivery's POSTs): the outbound rules on kept-alive connections."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.outbound import BodyTooLarge, DeadlineExceeded, UnsafeURL, guarded_poster

from .feedserver import FeedServer, Route, chunked_body, drip


def test_a_post_keeps_every_guard_and_sends_no_cookie(feed_server: FeedServer) -> None:
    feed_server.routes["/push"] = Route(body=b"ok", status=201, etag=False,
                                        headers={"Set-Cookie": "track=1; Path=/"})
    feed_server.routes["/big"] = Route(handler=chunked_body(b"z" * 50_000))
    poster = guarded_poster(allow_private=True, max_bytes=10_000)
    answers = [poster.post(feed_server.url("/push"), b"sealed", {"TTL": "60"}, 2)
               for _ in range(2)]
    assert [(a.status, a.body) for a in answers] == [(201, b"ok"), (201, b"ok")]
    sent = [headers for _, headers in feed_server.requests]
    assert [h.get("cookie") for h in sent] == [None, None]
    assert sent[0]["ttl"] == "60" and sent[0]["content-length"] == "6"
    assert sent[0]["user-agent"].startswith("Rapport/")
    assert sent[0]["host"] == f"127.0.0.1:{feed_server.port}"
    with pytest.raises(BodyTooLarge):
        poster.post(feed_server.url("/big"), b"x", {}, 2)
    assert len(feed_server.requests) == 3


def test_private_and_plain_addresses_are_refused_without_the_switch(
    feed_server: FeedServer,
) -> None:
    feed_server.routes["/push"] = Route(body=b"", status=201)
    poster = guarded_poster(allow_private=False)
    with pytest.raises(UnsafeURL):
        poster.post(feed_server.url("/push"), b"x", {}, 2)
    with pytest.raises(UnsafeURL):
        poster.post(f"https://127.0.0.1:{feed_server.port}/push", b"x", {}, 2)
    with pytest.raises(UnsafeURL):
        # static checks pass for the name "vm"; the pinned resolution finds 127.0.0.1
        poster.post(f"https://vm:{feed_server.port}/push", b"x", {}, 2)
    assert feed_server.requests == []


def test_redirects_are_answers_not_followed(feed_server: FeedServer) -> None:
    feed_server.routes["/push"] = Route(status=307, etag=False,
                                        headers={"Location": feed_server.url("/elsewhere")})
    answer = guarded_poster(allow_private=True).post(feed_server.url("/push"), b"x", {}, 2)
    assert answer.status == 307
    assert feed_server.paths() == ["/push"]


def test_a_slow_drip_hits_the_total_deadline(feed_server: FeedServer) -> None:
    feed_server.routes["/drip"] = Route(handler=drip(feed_server.stop_event, 0.05))
    poster = guarded_poster(allow_private=True, max_bytes=10_000_000, total_deadline=0.5)
    with pytest.raises(DeadlineExceeded):
        # each byte arrives well inside the read timeout: only the deadline can stop it
        poster.post(feed_server.url("/drip"), b"{}", {}, (2, 2))


def _answer_then_hang_up(request: BaseHTTPRequestHandler) -> None:
    request.close_connection = True  # no "Connection: close": the client thinks it is kept
    request.send_response(201)
    request.send_header("Content-Length", "0")
    request.end_headers()


def test_a_connection_the_server_closed_is_not_reused(feed_server: FeedServer) -> None:
    feed_server.routes["/push"] = Route(handler=_answer_then_hang_up)
    poster = guarded_poster(allow_private=True)
    statuses = []
    for _ in range(3):
        statuses.append(poster.post(feed_server.url("/push"), b"x", {}, 2).status)
        feed_server.stop_event.wait(0.05)  # the server's close reaches the client
    assert statuses == [201, 201, 201]
    assert feed_server.paths() == ["/push"] * 3


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_certificates_are_verified(tmp_path: Path) -> None:
    server = FeedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(tmp_path))
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.routes["/push"] = Route(body=b"", status=201)
    server.start()
    try:
        with pytest.raises(requests.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            guarded_poster(allow_private=True).post(
                f"https://127.0.0.1:{server.port}/push", b"x", {}, 2)
        assert server.requests == []
    finally:
        server.close()


def test_a_trusted_certificate_for_the_host_is_accepted_and_one_for_another_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a real push service gets: TLS verified against the name in the URL, keep-alive."""
    cert_path, key_path = _self_signed(tmp_path)  # names 127.0.0.1 only
    monkeypatch.setattr("server.outbound.posts.ca_bundle", lambda: str(cert_path))
    server = FeedServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.routes["/push"] = Route(body=b"", status=201)
    server.start()
    try:
        poster = guarded_poster(allow_private=True)
        answers = [poster.post(f"https://127.0.0.1:{server.port}/push", b"sealed", {}, 2)
                   for _ in range(2)]
        assert [a.status for a in answers] == [201, 201]
        assert [h["host"] for _, h in server.requests] == [f"127.0.0.1:{server.port}"] * 2
        with pytest.raises(requests.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            guarded_poster(allow_private=True).post(
                f"https://localhost:{server.port}/push", b"x", {}, 2)
        assert len(server.requests) == 2
    finally:
        server.close()
