"""Keep-alive POSTs of small bodies (push delivery): the guarded session's rules on http.client,
without requests' and urllib3's machinery around every message.

The same rules as the session: https only (http and private addresses only when allowed); the
host name is resolved once per connection and the connection goes to that pinned, checked
address while TLS verifies the certificate against the name; no redirect is followed; connect
and read timeouts; every socket under the request's total deadline; bodies capped. Idle
connections are kept per origin (at most `KEEP_PER_ORIGIN`); one the server has closed is dropped
before use, and a connection never reopens itself (a new socket always goes through the pinning).
"""

from __future__ import annotations

import http.client
import ipaddress
import select
import socket
import ssl
import threading
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

import requests
from requests.certs import where as ca_bundle

from .addresses import UnsafeURL, check_url, is_public_ip
from .deadlines import DeadlineExceeded, deadline, register_socket
from .session import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, USER_AGENT, BodyTooLarge

DEFAULT_MAX_BYTES = 64 * 1024  # a push service's answer is a few hundred bytes at most
KEEP_PER_ORIGIN = 10  # idle connections kept per origin (more may be open while busy)

Timeout = float | tuple[float, float]
Origin = tuple[str, str, int]  # scheme, host, port


@dataclass(frozen=True)
class Answer:
    """A server's answer: status, headers (case-insensitive `get`) and the capped body."""

    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")


class _Connection(http.client.HTTPConnection):
    """One kept-alive connection on a socket opened (and checked) by the poster."""

    auto_open = 0  # never reconnect by itself: that socket would skip the pinning

    def __init__(self, origin: Origin, sock: socket.socket) -> None:
        super().__init__(origin[1], origin[2])
        self.default_port = 443 if origin[0] == "https" else 80  # Host header without :443
        self.sock = sock


class GuardedPoster:
    """POSTs under the outbound rules, reusing connections; safe to share between threads."""

    def __init__(self, allow_private: bool, max_bytes: int = DEFAULT_MAX_BYTES,
                 total_deadline: float = DEFAULT_DEADLINE) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.total_deadline = total_deadline
        self._tls = ssl.create_default_context(cafile=ca_bundle())  # requests' own
        self._idle: dict[Origin, list[_Connection]] = {}
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, headers: dict[str, str],
             timeout: Timeout = DEFAULT_TIMEOUT) -> Answer:
        """POST `body`; raises UnsafeURL for a refused address, requests' exceptions otherwise."""
        parts = urlsplit(check_url(url, self.allow_private, resolve=False))
        origin = (parts.scheme, parts.hostname or "", parts.port or _default_port(parts.scheme))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        with deadline(self.total_deadline) as limit:
            conn = self._take(origin) or self._open(origin, connect)
            try:
                register_socket(conn.sock)
                conn.sock.settimeout(read)
                conn.request("POST", target, body, {"User-Agent": USER_AGENT, **headers})
                answer = self._read(conn.getresponse())
            except BaseException as exc:
                conn.close()
                if limit.expired:
                    raise DeadlineExceeded("The server took too long to answer.") from None
                if isinstance(exc, requests.RequestException):  # BodyTooLarge
                    raise
                if isinstance(exc, TimeoutError):
                    raise requests.Timeout(f"No answer in time: {exc}") from exc
                if isinstance(exc, (OSError, http.client.HTTPException)):
                    raise requests.ConnectionError(f"The connection failed: {exc}") from exc
                raise
            if limit.expired:  # a shut socket can look like a clean end
                conn.close()
                raise DeadlineExceeded("The server took too long to answer.")
        self._keep(origin, conn)
        return answer

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    def _read(self, response: http.client.HTTPResponse) -> Answer:
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise BodyTooLarge("The response is larger than the limit.")
        received = bytearray()
        while not response.isclosed():
            chunk = response.read(self.max_bytes + 1 - len(received))
            if not chunk:
                break
            received += chunk
            if len(received) > self.max_bytes:
                raise BodyTooLarge("The response is larger than the limit.")
        return Answer(response.status, response.msg, bytes(received))

    def _take(self, origin: Origin) -> _Connection | None:
        """An idle connection to `origin` the server has not closed meanwhile."""
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                conn = idle.pop()
            if conn.sock is not None and not select.select([conn.sock], [], [], 0)[0]:
                return conn
            conn.close()  # readable while idle: closed by the server (or talking out of turn)

    def _keep(self, origin: Origin, conn: _Connection) -> None:
        if conn.sock is None:  # the server said Connection: close
            return
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < KEEP_PER_ORIGIN:
                idle.append(conn)
                return
        conn.close()

    def _open(self, origin: Origin, connect_timeout: float) -> _Connection:
        scheme, host, port = origin
        address = host if self.allow_private else _pinned_address(host, port)
        try:
            sock = socket.create_connection((address, port), connect_timeout)
        except TimeoutError as exc:
            raise requests.ConnectTimeout(f"No connection in time: {exc}") from exc
        except OSError as exc:
            raise requests.ConnectionError(f"The connection failed: {exc}") from exc
        register_socket(sock)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=host)
            except OSError as exc:  # certificate refused, handshake failed or timed out
                sock.close()
                raise requests.ConnectionError(f"TLS failed: {exc}") from exc
        return _Connection(origin, sock)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _pinned_address(host: str, port: int) -> str:
    """The one address a connection to `host` goes to, refused unless it is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise requests.ConnectionError(f"The name could not be resolved: {exc}") from exc
    address = str(infos[0][4][0]).split("%", 1)[0]
    if not is_public_ip(ipaddress.ip_address(address)):
        raise UnsafeURL("That address points to a private or local network.")
    return address


def guarded_poster(allow_private: bool, max_bytes: int = DEFAULT_MAX_BYTES,
                   total_deadline: float = DEFAULT_DEADLINE) -> GuardedPoster:
    """The POST client push delivery uses; see the module docstring."""
    return GuardedPoster(allow_private, max_bytes=max_bytes, total_deadline=total_deadline)
