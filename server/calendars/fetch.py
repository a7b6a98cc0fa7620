"""Fetch a feed through the guarded session, conditionally, with plain-worded failures."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from ..outbound import BodyTooLarge, DeadlineExceeded, UnsafeURL, fetch
from .outcome import FeedError
from .sniff import MAX_BODY_BYTES

FETCH_DEADLINE = 60.0


@dataclass
class FeedResponse:
    """The outcome of one conditional GET."""

    unchanged: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


def _status_problem(status: int) -> FeedError:
    if status in (401, 403):
        return FeedError("needs_secret")
    if status in (404, 410):
        return FeedError("not_found")
    if status == 429 or status >= 500:
        return FeedError("server_error")
    return FeedError("server_error", f"The calendar server answered with an error ({status}) "
                     "instead of a calendar.")


def fetch_feed(
    url: str,
    allow_private: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    deadline: float = FETCH_DEADLINE,
) -> FeedResponse:
    """GET the feed with If-None-Match / If-Modified-Since; raise FeedError when it fails."""
    headers = {"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        result = fetch(
            url,
            allow_private=allow_private,
            headers=headers,
            max_bytes=MAX_BODY_BYTES,
            total_deadline=deadline,
        )
    except UnsafeURL as exc:
        raise FeedError("unsafe", str(exc)) from None
    except BodyTooLarge:
        raise FeedError("too_big") from None
    except (DeadlineExceeded, requests.Timeout):
        raise FeedError(
            "slow", f"The calendar server took longer than {int(deadline)} seconds to answer; "
            "Rapport will try again."
        ) from None
    except requests.TooManyRedirects:
        raise FeedError("unreachable", "The calendar address redirected too many times.") from None
    except requests.exceptions.SSLError:
        raise FeedError(
            "unreachable", "The calendar server's security certificate is not valid."
        ) from None
    except requests.RequestException:
        raise FeedError("unreachable") from None
    if result.status == 304:
        return FeedResponse(unchanged=True, etag=etag, last_modified=last_modified)
    if result.status != 200:
        raise _status_problem(result.status)
    return FeedResponse(
        unchanged=False,
        body=result.body,
        etag=(result.headers.get("ETag") or None),
        last_modified=(result.headers.get("Last-Modified") or None),
    )
