"""Push: the server's public key, the user's devices, a test push and recent notifications."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import select

from ..extensions import db, limiter
from ..models import utcnow
from ..models.push import Notification, PushSubscription
from ..schemas.push import (
    NotificationListArgsSchema,
    NotificationSchema,
    PublicKeySchema,
    SubscribeSchema,
    SubscriptionSchema,
    TestPushResultSchema,
    UnsubscribeSchema,
)

blp = Blueprint("push", __name__, url_prefix="/api", description="Web push")
# The push modules (cryptography, pywebpush, http_ece: ~20 MB resident) are imported by the views
# that use them, so a web process that serves no push request never loads them.


@blp.route("/push/key", methods=["GET"])
@blp.response(200, PublicKeySchema)
def public_key() -> dict[str, str]:
    """The VAPID public key to pass to `PushManager.subscribe`."""
    from ..push.vapid import application_server_key

    return {"public_key": application_server_key(current_app.config["VAPID_PRIVATE_KEY"])}


@blp.route("/push/subscriptions", methods=["GET"])
@blp.response(200, SubscriptionSchema(many=True))
@login_required
def list_devices() -> list[PushSubscription]:
    """The user's registered devices."""
    from ..push.subscriptions import list_subscriptions

    return list_subscriptions(current_user.id)


@blp.route("/push/subscriptions", methods=["POST"])
@blp.arguments(SubscribeSchema)
@blp.response(201, SubscriptionSchema)
@blp.alt_response(200, schema=SubscriptionSchema, description="Already registered; updated")
@login_required
def subscribe(data: dict[str, Any]) -> tuple[PushSubscription, int]:
    """Register this device (upsert by endpoint)."""
    from ..push.subscriptions import check_endpoint, check_keys, save_subscription

    config = current_app.config
    endpoint = check_endpoint(
        data["endpoint"], config["PUSH_EXTRA_HOSTS"], bool(config["ALLOW_PRIVATE_URLS"])
    )
    check_keys(data["keys"]["p256dh"], data["keys"]["auth"])
    row, created = save_subscription(
        current_user.id,
        endpoint,
        data["keys"]["p256dh"],
        data["keys"]["auth"],
        data["user_agent"],
        utcnow(),
        config["PUSH_SUBSCRIPTIONS_PER_USER_MAX"],
    )
    db.session.commit()
    return row, 201 if created else 200


@blp.route("/push/subscriptions", methods=["DELETE"])
@blp.arguments(UnsubscribeSchema)
@blp.response(204)
@login_required
def unsubscribe(data: dict[str, Any]) -> None:
    """Forget a device."""
    from ..push.subscriptions import remove_subscription

    remove_subscription(current_user.id, data["endpoint"])
    db.session.commit()


@blp.route("/push/test", methods=["POST"])
@blp.response(200, TestPushResultSchema)
@login_required
@limiter.limit("10 per 10 minutes")  # each call pushes to every device, inside the request
def test_push() -> dict[str, Any]:
    """Send a test notification to every device now; report what each push service said."""
    from ..push.delivery import push_context_from_app
    from ..push.probe import send_test_push

    return send_test_push(push_context_from_app(current_app), current_user.id, utcnow())


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationListArgsSchema, location="query")
@blp.response(200, NotificationSchema(many=True))
@login_required
def list_notifications(args: dict[str, Any]) -> list[Notification]:
    """The user's recent and upcoming notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    if args["state"]:
        stmt = stmt.where(Notification.state == args["state"])
    stmt = stmt.order_by(Notification.due_at.desc(), Notification.id.desc()).limit(args["limit"])
    return list(db.session.scalars(stmt))
