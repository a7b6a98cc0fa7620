"""Fixtures for push tests: the real decrypting push service and delivery helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from server.extensions import db
from server.keys import vapid_public_key
from server.models.push import PushSubscription
from server.push.delivery import PushContext, push_context_from_app
from tests.push_service import PushService


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    """A push service on 127.0.0.1 that only accepts messages signed with this app's key."""
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    yield service
    service.stop()


@pytest.fixture
def push_ctx(app: Flask) -> Iterator[PushContext]:
    """The delivery context the worker would build, with short timeouts for hang tests."""
    with app.app_context():
        ctx = push_context_from_app(app)
    ctx.timeout = (2.0, 1.0)
    yield ctx


@pytest.fixture
def add_device(app: Flask, push_service: PushService) -> Any:
    """Factory: register a fresh device of the push service for a user; returns (sub, id)."""

    def factory(user_id: int, label: str = "Phone") -> tuple[dict[str, Any], int]:
        sub = push_service.new_subscription(label)
        with app.app_context():
            row = PushSubscription(
                user_id=user_id,
                endpoint=sub["endpoint"],
                p256dh=sub["keys"]["p256dh"],
                auth=sub["keys"]["auth"],
                user_agent=label,
            )
            db.session.add(row)
            db.session.commit()
            return sub, row.id

    return factory
