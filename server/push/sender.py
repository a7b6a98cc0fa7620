"""One function that sends one encrypted message to one device through pywebpush."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import requests
from pywebpush import WebPushException, webpush

from .vapid import fresh_claims, vapid_signer

log = logging.getLogger(__name__)

URGENCIES = ("very-low", "low", "normal", "high")
DEFAULT_TIMEOUT = (5.0, 10.0)  # connect, read — pywebpush's own default is to wait forever


class PostSession(Protocol):
    """What pywebpush needs from a requests session: `post`."""

    def post(self, url: str, **kwargs: Any) -> requests.Response: ...


class NoRedirectSession:
    """Wraps a session so a push request never follows a redirect (pywebpush's default does)."""

    def __init__(self, session: PostSession) -> None:
        self.session = session

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        """POST once; a 3xx comes back as a response, not a second request."""
        kwargs["allow_redirects"] = False
        return self.session.post(url, **kwargs)


@dataclass(frozen=True)
class PushResult:
    """What the push service said: `outcome` is sent, gone, rejected, rate_limited or retry."""

    outcome: str
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def classify(status: int, retry_after: float | None, detail: str = "") -> PushResult:
    """Map a push service status to what delivery should do about it."""
    if status in (200, 201, 202):
        return PushResult("sent", status)
    if status in (404, 410):
        return PushResult("gone", status, detail=detail)
    if status == 429:
        return PushResult("rate_limited", status, retry_after, detail)
    if status >= 500:
        return PushResult("retry", status, retry_after, detail)
    # 400/401/403/413 and redirects: our request is wrong; sending it again would not help.
    return PushResult("rejected", status, detail=detail)


def send_push(
    subscription: dict[str, Any],
    data: bytes,
    *,
    vapid_private_pem: str,
    subject: str,
    session: PostSession,
    topic: str,
    ttl: int,
    urgency: str = "normal",
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
) -> PushResult:
    """Encrypt `data` for one subscription and POST it; never raises for network trouble."""
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    headers = {"Urgency": urgency, "Topic": topic}
    try:
        response = webpush(
            subscription_info=subscription,
            data=data.decode(),
            vapid_private_key=vapid_signer(vapid_private_pem),
            vapid_claims=fresh_claims(subscription["endpoint"], subject),
            content_encoding="aes128gcm",
            ttl=ttl,
            headers=headers,
            timeout=timeout,  # type: ignore[arg-type]  # requests accepts (connect, read)
            requests_session=NoRedirectSession(session),  # type: ignore[arg-type]
        )
    except WebPushException as exc:
        if exc.response is None or exc.status_code is None:
            return PushResult("retry", None, detail=str(exc.message))
        now = datetime.now(UTC)
        text = (getattr(exc.response, "text", "") or "")[:300]
        return classify(int(exc.status_code), parse_retry_after(exc.retry_after, now), text)
    except requests.RequestException as exc:
        # Timeouts, refused connections and blocked addresses all mean "not delivered yet".
        return PushResult("retry", None, detail=f"{type(exc).__name__}: {exc}"[:300])
    except ValueError as exc:
        # The guarded session refused the address (private network, bad scheme): not retried.
        return PushResult("rejected", None, detail=str(exc)[:300])
    assert isinstance(response, requests.Response)
    return classify(response.status_code, None)
