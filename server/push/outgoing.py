"""What goes out with each push: the delivery context, per-kind headers, send-time rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models.push import Notification
from ..reminders.registry import kind_for
from .payload import topic_for
from .sender import Poster, PushResult, send_push

Clock = Callable[[], datetime]


@dataclass
class PushContext:
    """Everything delivery needs from configuration, passed explicitly."""

    vapid_private_pem: str
    subject: str
    base_url: str
    session: Poster
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

# Each takes a batch of claimed rows and answers for all of them at once, by row id.
Reasons = Callable[[Sequence[Notification], datetime], dict[int, str]]
QuietEnds = Callable[[Sequence[Notification], datetime], dict[int, datetime]]


@dataclass
class DeliveryRules:
    """Planning-side rules delivery consults at send time (kept here as plain callables)."""

    # Rows that must not go out any more, with the reason (they are cancelled).
    still_wanted: Reasons = field(default=lambda batch, now: {})
    # Rows whose user is in quiet hours, with the time those hours end.
    quiet_until: QuietEnds = field(default=lambda batch, now: {})
    # When no device took it: send by another channel; (state, outcome), or None.
    elsewhere: Callable[[Notification, datetime], tuple[str, str] | None] = field(
        default=lambda n, now: None
    )
