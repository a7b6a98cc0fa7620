"""What goes out with each push: the delivery context, per-kind headers, send-time rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models.push import Notification
from ..reminders.registry import kind_for
from .payload import topic_for
from .sender import PostSession, PushResult, send_push

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
        ttl=kind_for(kind).ttl,
        urgency=kind_for(kind).urgency,
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
    # When no device took it: send by another channel; (state, outcome), or None.
    elsewhere: Callable[[Notification, datetime], tuple[str, str] | None] = field(
        default=lambda n, now: None
    )
