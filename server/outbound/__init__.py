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

Usage for a request (a calendar feed, an ntfy message)::

    session = guarded_session(allow_private=current_app.config["ALLOW_PRIVATE_URLS"])
    response = session.post(url, data=body, headers=headers, timeout=10)

Push delivery sends many small POSTs to few origins through :func:`guarded_poster` (the same
rules on http.client, connections kept per origin): ``poster.post(endpoint, body, headers,
timeout)`` gives an :class:`Answer`.

Refusals raise :class:`UnsafeURL` (a ``ValueError``); network failures raise the usual
``requests.RequestException`` subclasses; an oversized body raises :class:`BodyTooLarge` and a
blown deadline :class:`DeadlineExceeded` (both ``requests.RequestException``).
"""

from .addresses import UnsafeURL, check_url, is_public_ip
from .deadlines import DeadlineExceeded, deadline
from .fetch import MAX_REDIRECTS, FetchResult, fetch, next_hop
from .posts import Answer, GuardedPoster, guarded_poster
from .session import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    BodyTooLarge,
    GuardedSession,
    guarded_session,
    read_capped,
)

__all__ = [
    "Answer",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "BodyTooLarge",
    "DeadlineExceeded",
    "FetchResult",
    "GuardedPoster",
    "GuardedSession",
    "UnsafeURL",
    "check_url",
    "deadline",
    "fetch",
    "guarded_poster",
    "guarded_session",
    "is_public_ip",
    "next_hop",
    "read_capped",
]
