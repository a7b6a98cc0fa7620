"""What a device receives: our JSON shape, which is also a Declarative Web Push message."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

MAX_PLAINTEXT_BYTES = 3993  # 4096-byte record minus the aes128gcm header, tag and delimiter


def topic_for(key: str) -> str:
    """A Topic header from a natural key: 32 base64url characters, stable per key."""
    digest = hashlib.sha256(key.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:32]


def tag_for(key: str) -> str:
    """The notification tag: a device replaces an earlier notification with the same tag."""
    return f"rapport:{key}"


def build_payload(
    *, kind: str, title: str, body: str, url: str, tag: str, base_url: str,
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One object read by our service worker (`title, body, url, tag, kind`) and by iOS 18.4+.

    `kind` is a registered notification kind; `lines` (the digest's) are extra rows, each with
    its own text and same-origin URL, for the screen the notification opens.
    """
    payload: dict[str, Any] = {
        "web_push": 8030,
        "notification": {
            "title": title,
            "body": body,
            "navigate": f"{base_url.rstrip('/')}{url}",
            "tag": tag,
            "lang": "en",
            "dir": "auto",
        },
        "title": title,
        "body": body,
        "url": url,
        "tag": tag,
        "kind": kind,
    }
    if lines is not None:
        payload["lines"] = lines
    return payload


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _with_text(payload: dict[str, Any], title: str, body: str) -> dict[str, Any]:
    copy = {**payload, "title": title, "body": body}
    copy["notification"] = {**payload["notification"], "title": title, "body": body}
    return copy


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def encode_payload(payload: dict[str, Any]) -> bytes:
    """Serialize, shortening body then title until the plaintext fits one push record."""
    data = _encode(payload)
    title, body = str(payload.get("title", "")), str(payload.get("body", ""))
    while len(data) > MAX_PLAINTEXT_BYTES:
        excess = len(data) - MAX_PLAINTEXT_BYTES
        # Each character appears twice and may take up to 4 bytes: shrink generously.
        cut = max(excess // 2, 1)
        if len(body) > 1:
            body = _shorten(body, len(body) - cut)
        elif len(title) > 1:
            title = _shorten(title, len(title) - cut)
        else:
            raise ValueError("push payload cannot fit even with empty texts")
        data = _encode(_with_text(payload, title, body))
    return data
