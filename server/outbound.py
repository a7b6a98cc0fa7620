"""The one guarded HTTP session for every outbound request (calendar feeds, push delivery).

Rules (see the security section of the architecture):

- only ``https://`` (``webcal://`` is read as ``https://``); ``http://`` and private addresses
  only when ``allow_private`` is on (development and tests);
- the host name is resolved once and the connection goes to that pinned, checked address
  (requests-hardened's adapter), refusing loopback, private, link-local, CGNAT, multicast,
  unspecified, reserved and translated (IPv4-mapped, 6to4, NAT64) ranges;
- redirects are never followed by the session; :func:`fetch` follows at most 3, re-checking each;
- every request has connect/read timeouts and a hard total deadline (a watchdog shuts the socket
  down, so a server dripping one byte at a time cannot hold a worker);
- bodies are capped on decoded bytes (a gzip bomb stops at the cap).

Usage for a single request (push delivery)::

    session = guarded_session(allow_private=current_app.config["ALLOW_PRIVATE_URLS"])
    response = session.post(endpoint, data=body, headers=headers, timeout=10,
                            allow_redirects=False)

Refusals raise :class:`UnsafeURL` (a ``ValueError``); network failures raise the usual
``requests.RequestException`` subclasses; an oversized body raises :class:`BodyTooLarge` and a
blown deadline :class:`DeadlineExceeded` (both ``requests.RequestException``).
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import os
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_TIMEOUT = (5.0, 15.0)  # connect, read (per socket operation)
DEFAULT_DEADLINE = 30.0  # seconds for a whole request, body included
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # decoded
MAX_REDIRECTS = 3
USER_AGENT = "Rapport/1 (+calendar and push client)"
_CHUNK = 64 * 1024

# Ranges Python's ipaddress flags do not all cover (or only cover on newer interpreters).
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated) addresses
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "2001::/23",  # Teredo and other IETF protocol assignments
        "2001:db8::/32",
        "2002::/16",  # 6to4: embeds an IPv4 address
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")


class UnsafeURL(ValueError):
    """An address the server refuses to contact; the message is fit to show the user."""


class BodyTooLarge(requests.RequestException):
    """The decoded body went past the cap."""


class DeadlineExceeded(requests.RequestException):
    """The request as a whole took longer than its deadline."""


def is_public_ip(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public_ip(ip.ipv4_mapped)
    if any(ip.version == net.version and ip in net for net in _BLOCKED_NETWORKS):
        return False
    flags = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
    )
    return ip.is_global and not any(flags)


def _literal_ip(host: str) -> IPAddress | None:
    """The address a host names literally, in any spelling a resolver would accept."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:  # inet_aton accepts 2130706433, 0x7f.1, 127.1, 0177.0.0.1 ...
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str, allow_private: bool, resolve: bool = True) -> str:
    """Validate an outbound URL and return it normalised (webcal → https); raise UnsafeURL."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL("Enter an address starting with https://.")
    url = url.strip()
    if len(url) > 4096 or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeURL("That address contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("That address is not a valid URL.") from exc
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    allowed = ("https", "http") if allow_private else ("https",)
    if scheme not in allowed:
        raise UnsafeURL("Only https:// (or webcal://) addresses are accepted.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Addresses with a user name or password are not supported.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("That address has no server name.")
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise UnsafeURL("That server name is not valid.") from exc
    netloc = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if port is not None:
        netloc += f":{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    if allow_private:
        return normalised
    _check_host(ascii_host, port or 443, resolve)
    return normalised


def _check_host(host: str, port: int, resolve: bool) -> None:
    """Refuse hosts that are, spell or resolve to a non-public address."""
    literal = _literal_ip(host)
    if literal is not None:
        if str(literal) != host and not (literal.version == 6 and ":" in host):
            raise UnsafeURL("Unusual spellings of IP addresses are not accepted.")
        if not is_public_ip(literal):
            raise UnsafeURL("That address points to a private or local network.")
        return
    last_label = host.rsplit(".", 1)[-1]
    if last_label.isdigit() or _NUMERIC_HOST.match(host) and host.startswith("0x"):
        raise UnsafeURL("Unusual spellings of IP addresses are not accepted.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeURL("That address points to a private or local network.")
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return  # not resolvable now: the fetch will report it; the pinned check still applies
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if not is_public_ip(ipaddress.ip_address(address)):
            raise UnsafeURL("That address points to a private or local network.")


# --- hard deadline: a watchdog shuts down every socket opened under it -----------------------

_local = threading.local()


class _Watchdog:
    """One thread for every deadline of the process: a timer thread per request costs more
    than a push request does."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: _Deadline) -> None:
        """Fire `deadline` when it expires, unless it is cancelled first."""
        with self._cond:
            heapq.heappush(self._heap, (deadline.expires, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbound-deadlines",
                                                daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                _, _, due = heapq.heappop(self._heap)
            if not due.cancelled:
                due.fire()

    def reset(self) -> None:
        """Forget the parent's thread and deadlines in a forked child."""
        self._cond = threading.Condition()
        self._heap = []
        self._thread = None


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.reset)


class _Deadline:
    """Shuts down registered sockets when time is up."""

    def __init__(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds
        self.expired = False
        self.cancelled = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        _watchdog.watch(self)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.expires - time.monotonic())

    def register(self, sock: socket.socket | None) -> None:
        """Watch a socket; shut it at once if the deadline already passed."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def fire(self) -> None:
        """Time is up: shut every registered socket."""
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        """The request ended in time: nothing to shut."""
        with self._lock:
            self.cancelled = True
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


@contextmanager
def deadline(seconds: float) -> Iterator[_Deadline]:
    """Bound every guarded request made by this thread inside the block to `seconds` in total."""
    outer = getattr(_local, "deadline", None)
    if outer is not None and outer.remaining() <= seconds:
        yield outer  # an enclosing, tighter deadline already applies
        return
    current = _Deadline(seconds)
    _local.deadline = current
    try:
        yield current
    finally:
        current.cancel()
        _local.deadline = outer


def _register_socket(sock: socket.socket | None) -> None:
    current = getattr(_local, "deadline", None)
    if current is not None:
        current.register(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register_socket(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _register_socket(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register_socket(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        _register_socket(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watch_pools(adapter: HTTPAdapter) -> None:
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": _WatchedHTTPPool,
        "https": _WatchedHTTPSPool,
    }


class _PinnedAdapter(IPFilterAdapter):
    """requests-hardened's resolve-once, pinned-address adapter, with our stricter policy."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        pinned = ipaddress.ip_address(str(host_params["host"]).strip("[]"))
        if not is_public_ip(pinned):
            raise InvalidIPAddress(pinned)
        return host_params, pool_kwargs


class _WatchedAdapter(HTTPAdapter):
    """Plain adapter (private addresses allowed) that still honours the deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self)


class GuardedSession(requests.Session):
    """A requests session that never follows redirects, caps bodies and bounds time."""

    def __init__(
        self,
        allow_private: bool,
        max_bytes: int = DEFAULT_MAX_BYTES,
        total_deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        super().__init__()
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.total_deadline = total_deadline
        self.trust_env = False  # an environment proxy would bypass the pinned address
        self.headers["User-Agent"] = USER_AGENT
        self.adapters.clear()
        if allow_private:
            self.mount("https://", _WatchedAdapter())
            self.mount("http://", _WatchedAdapter())
        else:
            self.mount("https://", _PinnedAdapter(is_https_proto=True))

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send without following redirects, under the deadline, with a capped body."""
        check_url(str(request.url), self.allow_private, resolve=False)
        kwargs["allow_redirects"] = False
        if not kwargs.get("timeout"):
            kwargs["timeout"] = DEFAULT_TIMEOUT
        wants_stream = bool(kwargs.get("stream"))
        kwargs["stream"] = True
        with deadline(self.total_deadline) as limit:
            try:
                response = super().send(request, **kwargs)
                if not wants_stream:
                    response._content = read_capped(response, self.max_bytes)
                    response._content_consumed = True
                if limit.expired:  # a shut socket can look like a clean end of headers
                    response.close()
                    raise DeadlineExceeded("The server took too long to answer.")
            except InvalidIPAddress as exc:
                raise UnsafeURL("That address points to a private or local network.") from exc
            except requests.RequestException:
                if limit.expired:
                    raise DeadlineExceeded("The server took too long to answer.") from None
                raise
        return response


def guarded_session(
    allow_private: bool,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_deadline: float = DEFAULT_DEADLINE,
) -> requests.Session:
    """The session every outbound request must use; see the module docstring."""
    return GuardedSession(allow_private, max_bytes=max_bytes, total_deadline=total_deadline)


def read_capped(response: requests.Response, max_bytes: int) -> bytes:
    """Read a streamed body, decoded, stopping past `max_bytes` or when the deadline fires."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    if declared.isdigit() and int(declared) > max_bytes and not encoded:
        response.close()
        raise BodyTooLarge("The response is larger than the limit.")
    received = bytearray()
    try:
        for chunk in response.raw.stream(_CHUNK, decode_content=True):
            received += chunk
            if len(received) > max_bytes:
                raise BodyTooLarge("The response is larger than the limit.")
            current = getattr(_local, "deadline", None)
            if current is not None and current.expired:
                raise DeadlineExceeded("The server took too long to answer.")
    except (requests.RequestException, OSError, ValueError) as exc:
        current = getattr(_local, "deadline", None)
        if current is not None and current.expired and not isinstance(exc, BodyTooLarge):
            raise DeadlineExceeded("The server took too long to answer.") from None
        if isinstance(exc, requests.RequestException):
            raise
        raise requests.ConnectionError(f"The connection failed while reading: {exc}") from exc
    except Exception as exc:  # urllib3 errors (ProtocolError, DecodeError, ReadTimeoutError)
        current = getattr(_local, "deadline", None)
        if current is not None and current.expired:
            raise DeadlineExceeded("The server took too long to answer.") from None
        raise requests.ConnectionError(f"The connection failed while reading: {exc}") from exc
    finally:
        response.close()
    current = getattr(_local, "deadline", None)
    if current is not None and current.expired:  # a shut socket can look like a clean end
        raise DeadlineExceeded("The server took too long to answer.")
    return bytes(received)


@dataclass
class FetchResult:
    """What a GET returned after following redirects."""

    status: int
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


def next_hop(current: str, location: str | None, allow_private: bool) -> str:
    """The checked address a redirect points to (relative locations resolved)."""
    if not location:
        raise requests.ConnectionError("The server redirected without an address.")
    return check_url(urljoin(current, location.strip()), allow_private)


def fetch(
    url: str,
    *,
    allow_private: bool,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_deadline: float = DEFAULT_DEADLINE,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
) -> FetchResult:
    """GET a URL, following at most `max_redirects` re-checked hops, all under one deadline."""
    current = check_url(url, allow_private)
    session = GuardedSession(allow_private, max_bytes=max_bytes, total_deadline=total_deadline)
    with session, deadline(total_deadline) as limit:
        for _hop in range(max_redirects + 1):
            try:
                response = session.get(current, headers=dict(headers or {}), timeout=timeout)
            except requests.RequestException:
                if limit.expired:
                    raise DeadlineExceeded("The server took too long to answer.") from None
                raise
            if response.status_code in (301, 302, 303, 307, 308):
                current = next_hop(current, response.headers.get("Location"), allow_private)
                continue
            return FetchResult(
                status=response.status_code,
                url=current,
                headers=dict(response.headers),
                body=response.content,
            )
    raise requests.TooManyRedirects(f"The address redirected more than {max_redirects} times.")
