"""What goes out with each push: the delivery context, per-kind headers, send-time rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models.push import Notification
from .payload import topic_for
from .sender import PostSession, PushResult, send_push

TTL_SECONDS = {"meeting": 6 * 3600, "birthday": 12 * 3600, "digest": 24 * 3600}
URGENCY = {"meeting": "high", "test": "high", "digest": "low"}

Clock = Callable[[], datetime]


@dataclass
class PushContext:
    """Everything delivery needs from configuration, passed explicitly."""

    vapid_private_pem: str
    subject: str
    base_url: str
    session: PostSession
    timeout: float | tuple[float, float] = (5.0, 10.0)


# --- what goes with each push ---------------------------------------------------------------


def ttl_for(kind: str) -> int:
    """How long a push service keeps a message of this kind for an offline device."""
    return TTL_SECONDS.get(kind, 12 * 3600)


def urgency_for(kind: str) -> str:
    """The Urgency header for a message of this kind."""
    return URGENCY.get(kind, "normal")


def send_to_device(
    ctx: PushContext, info: dict[str, Any], key: str, kind: str, data: bytes
) -> PushResult:
    """Push one encoded payload to one device (`info` as PushSubscription.toJSON gives it)."""
    return send_push(
        info,
        data,
        vapid_private_pem=ctx.vapid_private_pem,
        subject=ctx.subject,
        session=ctx.session,
        topic=topic_for(key),
        ttl=ttl_for(kind),
        urgency=urgency_for(kind),
        timeout=ctx.timeout,
    )


# --- send-time rules ------------------------------------------------------------------------

Check = Callable[[Notification, datetime], "str | None"]


@dataclass
class DeliveryRules:
    """Planning-side rules delivery consults at send time (kept here as plain callables)."""

    still_wanted: Check = field(default=lambda n, now: None)  # reason to cancel, or None
    quiet_until: Callable[[Notification, datetime], datetime | None] = field(
        default=lambda n, now: None
    )
