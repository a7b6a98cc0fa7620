"""A real Web Push service for tests: decrypts each message and checks its VAPID token.

It plays the part of FCM / Mozilla autopush / Apple: subscriptions it hands out carry a
P-256 key pair and auth secret that only the test owns, so what it records is what a device
would really have decrypted (RFC 8291 aes128gcm), not what the sender meant to send.

    service = PushService(expected_public_key=vapid_public_key(pem)).start()
    sub = service.new_subscription()
    ... deliver ...
    assert service.received[0]["title"] == "..."
    service.stop()
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

MAX_BODY = 4096  # RFC 8030 push services must accept at least 4096 bytes


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    """Encode base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LostPush(UserWarning):
    """A message handed to a browser's service worker showed nothing and was handed over again:
    reported (never an error), so a run that needed it says so."""


@dataclass
class Reply:
    """How the service answers the next matching message."""

    status: int = 201
    retry_after: str | None = None
    hang: bool = False


@dataclass
class Message:
    """One message the service accepted or refused, with everything it checked."""

    token: str
    status: int
    headers: dict[str, str]
    claims: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    plaintext_size: int = 0
    body_size: int = 0
    error: str | None = None
    at: float = field(default_factory=time.time)  # when the service received it

    @property
    def topic(self) -> str | None:
        """The Topic header, used by services to replace an undelivered message."""
        return self.headers.get("topic")

    @property
    def urgency(self) -> str | None:
        """The Urgency header."""
        return self.headers.get("urgency")

    @property
    def ttl(self) -> str | None:
        """The TTL header."""
        return self.headers.get("ttl")


@dataclass
class _Device:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    user_agent: str


@dataclass
class PushService:
    """An HTTP push service on 127.0.0.1 that decrypts and verifies like a real one."""

    expected_public_key: str | None = None  # our applicationServerKey; None accepts any key
    expected_subject: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    _devices: dict[str, _Device] = field(default_factory=dict)
    _replies: dict[str | None, list[Reply]] = field(default_factory=dict)
    _release: threading.Event = field(default_factory=threading.Event)
    _hanging: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> PushService:
        """Listen on a free loopback port in a background thread."""
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                service._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release any hung request and shut the server down."""
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> PushService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:53124."""
        assert self._server is not None, "start() the service first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what tests drive --------------------------------------------------------------------

    def new_subscription(self, user_agent: str = "Test device") -> dict[str, Any]:
        """A fresh device: endpoint plus the p256dh/auth keys a browser would hand out."""
        token = b64url_encode(os.urandom(12))
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        with self._lock:
            self._devices[token] = _Device(key, auth, user_agent)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.url}/push/{token}",
            "keys": {"p256dh": b64url_encode(public), "auth": b64url_encode(auth)},
            "user_agent": user_agent,
        }

    def reply(
        self,
        status: int,
        *,
        retry_after: str | int | None = None,
        times: int = 1,
        endpoint: str | None = None,
    ) -> None:
        """Answer the next `times` messages (to `endpoint`, or to any) with `status`."""
        token = self._token(endpoint) if endpoint else None
        value = None if retry_after is None else str(retry_after)
        with self._lock:
            queue = self._replies.setdefault(token, [])
            queue.extend(Reply(status=status, retry_after=value) for _ in range(times))

    def hang(self, *, times: int = 1, endpoint: str | None = None) -> None:
        """Keep the next `times` requests open without answering until `release()`/`stop()`."""
        token = self._token(endpoint) if endpoint else None
        with self._lock:
            self._replies.setdefault(token, []).extend(Reply(hang=True) for _ in range(times))

    def release(self) -> None:
        """Let hung requests finish; they answer 503 and count as not delivered."""
        self._release.set()

    def wait_until_hanging(self, timeout: float = 30.0) -> bool:
        """Block until a request is being held open by `hang()`."""
        return self._hanging.wait(timeout)

    def received_for(self, endpoint: str) -> list[dict[str, Any]]:
        """Decrypted payloads accepted for one device."""
        token = self._token(endpoint)
        with self._lock:
            return [m.payload for m in self.messages if m.token == token and m.status < 300
                    and m.payload is not None]

    def accepted(self) -> list[Message]:
        """Messages answered 201, in arrival order."""
        with self._lock:
            return [m for m in self.messages if m.status < 300]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `count` payloads were accepted (for tests driving a real worker process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        with self._lock:
            return list(self.received)

    # -- the protocol ------------------------------------------------------------------------

    @staticmethod
    def _token(endpoint: str) -> str:
        return urlsplit(endpoint).path.rsplit("/", 1)[-1]

    def _next_reply(self, token: str) -> Reply:
        with self._lock:
            for key in (token, None):
                queue = self._replies.get(key)
                if queue:
                    return queue.pop(0)
        return Reply()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        token = urlsplit(request.path).path.rsplit("/", 1)[-1]
        headers = {k.lower(): v for k, v in request.headers.items()}
        length = int(headers.get("content-length") or 0)
        body = request.rfile.read(length) if length else b""
        message = Message(token=token, status=201, headers=headers, body_size=len(body))
        status, error = self._check(token, headers, body, message)
        reply = Reply(status=status)
        if error is None:
            reply = self._next_reply(token)
            if reply.hang:
                self._hanging.set()
                self._release.wait(timeout=120)
                reply = Reply(status=503)  # never accepted: the sender had given up
        message.status = reply.status if error is None else status
        message.error = error
        with self._lock:
            self.messages.append(message)
            if message.status < 300 and message.payload is not None:
                self.received.append(message.payload)
        self._answer(request, message.status, reply.retry_after, error)

    def _check(
        self, token: str, headers: dict[str, str], body: bytes, message: Message
    ) -> tuple[int, str | None]:
        """Verify what a real push service verifies; returns (status, error)."""
        with self._lock:
            device = self._devices.get(token)
        if device is None:
            return 404, "no such subscription"
        if len(body) > MAX_BODY:
            return 413, "payload too large"
        if "ttl" not in headers:
            return 400, "TTL header missing"
        try:
            message.claims = self._verify_vapid(headers.get("authorization", ""), token)
        except ValueError as exc:
            return 401, f"VAPID: {exc}"
        if headers.get("content-encoding") != "aes128gcm":
            return 415, "content-encoding must be aes128gcm"
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth,
                version="aes128gcm",
            )
        except Exception as exc:  # any failure to decrypt is the sender's fault
            return 400, f"cannot decrypt: {exc}"
        message.plaintext_size = len(plaintext)
        try:
            message.payload = json.loads(plaintext)
        except ValueError:
            message.payload = {"_raw": plaintext.decode("utf-8", "replace")}
        return 201, None

    def _verify_vapid(self, authorization: str, token: str) -> dict[str, Any]:
        """Check an RFC 8292 `vapid t=<jwt>, k=<key>` header; returns the claims."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError("Authorization scheme is not vapid")
        parts = dict(
            p.strip().split("=", 1) for p in params.split(",") if "=" in p
        )
        jwt, key = parts.get("t", ""), parts.get("k", "")
        if self.expected_public_key and key != self.expected_public_key:
            raise ValueError("k is not the application server key")
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(key)
            )
            header_b64, claims_b64, signature_b64 = jwt.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            raw = b64url_decode(signature_b64)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"malformed token: {exc}") from exc
        if header.get("alg") != "ES256" or len(raw) != 64:
            raise ValueError("token is not ES256")
        signature = utils.encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        try:
            public.verify(
                signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature as exc:
            raise ValueError("bad signature") from exc
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.url!r}")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
            raise ValueError("exp must be in the next 24 hours")
        sub = str(claims.get("sub", ""))
        if not (sub.startswith("mailto:") or sub.startswith("https://")):
            raise ValueError("sub must be a mailto: or https: URL")
        if sub.endswith("@localhost"):
            raise ValueError("sub @localhost is refused (as Apple does)")
        if self.expected_subject and sub != self.expected_subject:
            raise ValueError("unexpected sub")
        return claims

    @staticmethod
    def _answer(
        request: BaseHTTPRequestHandler, status: int, retry_after: str | None, error: str | None
    ) -> None:
        body = json.dumps({"error": error} if error else {}).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            if retry_after is not None:
                request.send_header("Retry-After", retry_after)
            if status == 201:
                request.send_header("Location", f"/message/{b64url_encode(os.urandom(8))}")
            request.end_headers()
            request.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout) before the answer
