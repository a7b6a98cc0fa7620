"""The ntfy channel: a POST to the user's topic URL through the guarded outbound session."""

from __future__ import annotations

from typing import Any

import requests

from ..models import User
from ..outbound import UnsafeURL, check_url, guarded_session
from . import Channel, ChannelContext, ChannelError, Message

TIMEOUT = (5.0, 10.0)


def ntfy_ready(ctx: ChannelContext, user: User, settings: dict[str, Any]) -> bool:
    """The user gave a topic URL."""
    return bool(settings.get("ntfy_topic_url"))


def send_ntfy(ctx: ChannelContext, user: User, settings: dict[str, Any], message: Message) -> None:
    """Publish one message; the title and the tap link ride as query parameters (UTF-8 safe)."""
    try:
        url = check_url(settings["ntfy_topic_url"], ctx.allow_private, resolve=False)
    except UnsafeURL as exc:
        raise ChannelError(str(exc)) from exc
    if ctx.session is None:
        ctx.session = guarded_session(allow_private=ctx.allow_private, max_bytes=64 * 1024)
    text = message.body or "Open Rapport"
    try:
        answer = ctx.session.post(
            url, data=f"{text}\n{message.link}".encode(),
            params={"title": message.title, "click": message.link, "tags": "handshake"},
            headers={"Content-Type": "text/plain; charset=utf-8"}, timeout=TIMEOUT,
        )
    except (requests.RequestException, UnsafeURL) as exc:
        raise ChannelError(f"ntfy did not answer: {exc}"[:200]) from exc
    if answer.status_code >= 300:
        raise ChannelError(f"ntfy answered {answer.status_code}")


NTFY = Channel(name="ntfy", label="ntfy", ready=ntfy_ready, send=send_ntfy)
