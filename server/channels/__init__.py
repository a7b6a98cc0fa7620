"""Other ways to reach a user when push cannot: e-mail over SMTP and ntfy.

The same outbox row is delivered; a channel is tried only when no device took the push (none
registered, or every one refused or is gone), in the user's fallback order. A channel row,
unique per (notification, channel), is written before sending, so a retry or a second worker
never sends the same notification twice by the same channel. Messages are plain text with
the same link as the push; the details (which may quote the user's notes) only when the user
turns that on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from ..models.push import ChannelDelivery, Notification
from ..settings import get_settings

log = logging.getLogger(__name__)


class ChannelError(Exception):
    """A channel could not deliver (the reason is shown in the outbox outcome)."""


@dataclass
class ChannelContext:
    """What the channels need from configuration, passed explicitly."""

    base_url: str
    smtp: dict[str, Any]
    allow_private: bool
    session: Any = None  # the guarded HTTP session (ntfy), made on first use


@dataclass(frozen=True)
class Message:
    """One notification as plain text."""

    title: str
    body: str
    link: str
    settings_link: str

    def text(self) -> str:
        """The plain-text body: the headline, the details when wanted, the link."""
        parts = [self.title]
        if self.body:
            parts.append(self.body)
        parts.append(f"Open: {self.link}")
        return "\n\n".join(parts) + f"\n\n-- \nRapport · what you receive: {self.settings_link}\n"


@dataclass(frozen=True)
class Channel:
    """A way to reach a user besides push."""

    name: str
    label: str
    ready: Callable[[ChannelContext, User, dict[str, Any]], bool]
    send: Callable[[ChannelContext, User, dict[str, Any], Message], None]


def channel_context_from_app(app: Flask) -> ChannelContext:
    """The channel context from the app config."""
    smtp = {key: app.config[f"SMTP_{key.upper()}"]
            for key in ("host", "port", "user", "password", "from", "tls")}
    return ChannelContext(base_url=app.config["BASE_URL"], smtp=smtp,
                          allow_private=bool(app.config["ALLOW_PRIVATE_URLS"]))


def message_for(ctx: ChannelContext, n: Notification, details: bool) -> Message:
    """The notification's text and link (the body only when the user wants details)."""
    base = ctx.base_url.rstrip("/")
    return Message(
        title=str(n.payload.get("title", "Rapport")),
        body=str(n.payload.get("body", "")) if details else "",
        link=f"{base}{n.payload.get('url', '/')}",
        settings_link=f"{base}/settings",
    )


def registry() -> dict[str, Channel]:
    """Every channel by name."""
    from .email import EMAIL
    from .ntfy import NTFY

    return {c.name: c for c in (EMAIL, NTFY)}


def deliver_elsewhere(
    ctx: ChannelContext, n: Notification, now: datetime
) -> tuple[str, str] | None:
    """Send by the first ready channel in the user's fallback order: (state, outcome), or
    None when the user has no ready channel."""
    user = db.session.get(User, n.user_id)
    if user is None:
        return None
    settings = get_settings(user)
    channels = registry()
    tried: list[str] = []
    for name in settings["fallback_channels"]:
        channel = channels.get(name)
        if channel is None or not channel.ready(ctx, user, settings):
            continue
        done = db.session.scalar(select(ChannelDelivery.state).where(
            ChannelDelivery.notification_id == n.id, ChannelDelivery.channel == name))
        if done is not None and done != "failed":  # sent, or a crash while sending: not twice
            return "sent", f"{name}: {done} before"
        if not _claim(n.id, name, now, retry=done == "failed"):
            return "sent", f"{name}: taken by another worker"
        try:
            channel.send(ctx, user, settings, message_for(ctx, n, settings["channel_details"]))
        except ChannelError as exc:
            _record(n.id, name, "failed", str(exc))
            tried.append(f"{name}: {exc}")
            continue
        _record(n.id, name, "sent", "")
        return "sent", "; ".join([*tried, f"{name}: sent"])
    return ("failed", "; ".join(tried)) if tried else None


def _claim(notification_id: int, channel: str, now: datetime, retry: bool) -> bool:
    """Write the channel row before sending (committed), so nobody sends it again."""
    try:
        if retry:
            row = db.session.scalar(select(ChannelDelivery).where(
                ChannelDelivery.notification_id == notification_id,
                ChannelDelivery.channel == channel, ChannelDelivery.state == "failed"))
            if row is None:
                return False
            row.state, row.created_at = "sending", now
        else:
            db.session.add(ChannelDelivery(notification_id=notification_id, channel=channel,
                                           state="sending", detail="", created_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _record(notification_id: int, channel: str, state: str, detail: str) -> None:
    row = db.session.scalar(select(ChannelDelivery).where(
        ChannelDelivery.notification_id == notification_id, ChannelDelivery.channel == channel))
    if row is not None:
        row.state, row.detail = state, detail[:300]
        db.session.commit()
