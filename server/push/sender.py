"""One function that sends one encrypted message to one device (RFC 8291 body, RFC 8292 header).

The body is encrypted with `http_ece` (aes128gcm, a fresh ephemeral key per message) and the
VAPID header comes from a cache that signs once per push service per hour; the POST goes through
the caller's poster (the guarded one, server/outbound/posts.py), which keeps connections to a
push service alive and reuses them.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import http_ece
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from ..outbound import Answer
from .vapid import authorizations

log = logging.getLogger(__name__)

URGENCIES = ("very-low", "low", "normal", "high")
DEFAULT_TIMEOUT = (5.0, 10.0)  # connect, read — never wait forever on a push service


class Poster(Protocol):
    """What sending needs from the guarded poster: `post`."""

    def post(self, url: str, body: bytes, headers: dict[str, str],
             timeout: float | tuple[float, float]) -> Answer: ...


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
        from email.utils import parsedate_to_datetime

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


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(subscription: dict[str, Any], data: bytes) -> bytes:
    """The aes128gcm body for one device (RFC 8291), under a fresh ephemeral key."""
    keys = subscription["keys"]
    return bytes(
        http_ece.encrypt(
            data,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            dh=_b64url(keys["p256dh"]),
            auth_secret=_b64url(keys["auth"]),
            version="aes128gcm",
        )
    )


def send_push(
    subscription: dict[str, Any],
    data: bytes,
    *,
    vapid_private_pem: str,
    subject: str,
    session: Poster,
    topic: str,
    ttl: int,
    urgency: str = "normal",
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
) -> PushResult:
    """Encrypt `data` for one subscription and POST it; never raises for network trouble."""
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    endpoint = subscription["endpoint"]
    headers = {
        "Authorization": authorizations.header(vapid_private_pem, endpoint, subject),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Topic": topic,
    }
    try:
        answer = session.post(endpoint, encrypt(subscription, data), headers, timeout)
    except requests.RequestException as exc:
        # Timeouts, refused connections and blocked addresses all mean "not delivered yet".
        return PushResult("retry", None, detail=f"{type(exc).__name__}: {exc}"[:300])
    except ValueError as exc:
        # The guarded session refused the address (private network, bad scheme): not retried.
        return PushResult("rejected", None, detail=str(exc)[:300])
    if answer.status in (200, 201, 202):
        return PushResult("sent", answer.status)
    now = datetime.now(UTC)
    retry_after = parse_retry_after(answer.headers.get("Retry-After"), now)
    return classify(answer.status, retry_after, answer.text[:300])
