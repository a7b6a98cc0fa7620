"""Fetch a feed through the guarded session, conditionally, with plain-worded failures."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from ..outbound import BodyTooLarge, DeadlineExceeded, UnsafeURL, fetch
from .parse import MAX_BODY_BYTES, FeedError

FETCH_DEADLINE = 60.0


@dataclass
class FeedResponse:
    """The outcome of one conditional GET."""

    unchanged: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


def _status_message(status: int) -> str:
    if status in (401, 403):
        return f"The calendar server refused access (HTTP {status}); the link may be private."
    if status in (404, 410):
        return (
            f"The calendar address was not found (HTTP {status}); it may have been reset. "
            "Paste the current address."
        )
    if status == 429:
        return "The calendar server asked us to slow down (HTTP 429); Rapport will retry."
    if status >= 500:
        return f"The calendar server had a problem (HTTP {status}); Rapport will retry."
    return f"The calendar server answered HTTP {status} instead of a calendar."


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
        raise FeedError(str(exc)) from None
    except BodyTooLarge:
        raise FeedError("The calendar is larger than 20 MB.") from None
    except DeadlineExceeded:
        raise FeedError(
            f"The calendar server took longer than {int(deadline)} seconds to answer."
        ) from None
    except requests.TooManyRedirects:
        raise FeedError("The calendar address redirected too many times.") from None
    except requests.exceptions.SSLError:
        raise FeedError("The calendar server's security certificate is not valid.") from None
    except requests.Timeout:
        raise FeedError("The calendar server did not answer in time.") from None
    except requests.ConnectionError:
        raise FeedError("The calendar server could not be reached.") from None
    except requests.RequestException:
        raise FeedError("The calendar could not be downloaded.") from None
    if result.status == 304:
        return FeedResponse(unchanged=True, etag=etag, last_modified=last_modified)
    if result.status != 200:
        raise FeedError(_status_message(result.status))
    return FeedResponse(
        unchanged=False,
        body=result.body,
        etag=(result.headers.get("ETag") or None),
        last_modified=(result.headers.get("Last-Modified") or None),
    )
