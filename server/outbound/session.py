"""The guarded session: pinned, checked addresses (requests-hardened's adapter with our
stricter policy), no redirects followed, bodies capped on decoded bytes, every socket under
the request's deadline."""

from __future__ import annotations

import ipaddress
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests_hardened.ip_filter import InvalidIPAddress
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import deadlines
from .addresses import UnsafeURL, check_url, is_public_ip
from .deadlines import DeadlineExceeded, deadline, register_socket

DEFAULT_TIMEOUT = (5.0, 15.0)  # connect, read (per socket operation)
DEFAULT_DEADLINE = 30.0  # seconds for a whole request, body included
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # decoded
USER_AGENT = "Rapport/1 (+calendar and push client)"
_CHUNK = 64 * 1024


class BodyTooLarge(requests.RequestException):
    """The decoded body went past the cap."""


class _WatchesSockets:
    """Puts a connection's socket under the request's deadline (HTTP and HTTPS alike)."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        register_socket(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        register_socket(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchesSockets, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchesSockets, HTTPSConnection):
    pass


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
            if deadlines.expired():
                raise DeadlineExceeded("The server took too long to answer.")
    except (requests.RequestException, OSError, ValueError) as exc:
        if deadlines.expired() and not isinstance(exc, BodyTooLarge):
            raise DeadlineExceeded("The server took too long to answer.") from None
        if isinstance(exc, requests.RequestException):
            raise
        raise requests.ConnectionError(f"The connection failed while reading: {exc}") from exc
    except Exception as exc:  # urllib3 errors (ProtocolError, DecodeError, ReadTimeoutError)
        if deadlines.expired():
            raise DeadlineExceeded("The server took too long to answer.") from None
        raise requests.ConnectionError(f"The connection failed while reading: {exc}") from exc
    finally:
        response.close()
    if deadlines.expired():  # a shut socket can look like a clean end
        raise DeadlineExceeded("The server took too long to answer.")
    return bytes(received)
