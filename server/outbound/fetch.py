"""GET with redirects followed by hand: at most a few hops, each address re-checked, all
under one deadline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests

from .addresses import check_url
from .deadlines import DeadlineExceeded, deadline
from .session import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, GuardedSession

MAX_REDIRECTS = 3


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
