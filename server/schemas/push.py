"""Schemas for push: the public key, device subscriptions, test results and the outbox."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from . import StrictSchema


class PublicKeySchema(Schema):
    """The VAPID public key in the form `applicationServerKey` expects."""

    public_key = fields.String(dump_only=True)


class SubscriptionKeysSchema(StrictSchema):
    """The keys of a browser PushSubscription."""

    p256dh = fields.String(required=True, validate=validate.Length(min=80, max=128))
    auth = fields.String(required=True, validate=validate.Length(min=16, max=64))


class SubscribeSchema(StrictSchema):
    """`PushSubscription.toJSON()` plus an optional device label."""

    endpoint = fields.String(required=True, validate=validate.Length(min=10, max=2048))
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    user_agent = fields.String(load_default="", validate=validate.Length(max=300))
    # Browsers include this in toJSON(); accepted and ignored.
    expirationTime = fields.Raw(load_default=None, allow_none=True)  # noqa: N815


class UnsubscribeSchema(StrictSchema):
    """Which device to forget."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=2048))


class SubscriptionSchema(Schema):
    """One registered device (keys are never shown back)."""

    id = fields.Integer(dump_only=True)
    endpoint = fields.String(dump_only=True)
    user_agent = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_success_at = fields.DateTime(dump_only=True, allow_none=True)
    last_failure_at = fields.DateTime(dump_only=True, allow_none=True)
    failure_count = fields.Integer(dump_only=True)
    last_error = fields.String(dump_only=True)


class DeviceResultSchema(Schema):
    """What one device's push service said to a test push."""

    subscription_id = fields.Integer()
    user_agent = fields.String()
    ok = fields.Boolean()
    outcome = fields.String()
    status = fields.Integer(allow_none=True)
    removed = fields.Boolean()
    detail = fields.String()


class TestPushResultSchema(Schema):
    """Per-device outcome of `POST /api/push/test`."""

    sent = fields.Integer()
    devices = fields.List(fields.Nested(DeviceResultSchema))


class NotificationSchema(Schema):
    """One outbox row as the user may see it."""

    id = fields.Integer()
    key = fields.String()
    kind = fields.String()
    state = fields.String()
    due_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer()
    outcome = fields.String()
    title = fields.Function(lambda n: n.payload.get("title", ""))
    body = fields.Function(lambda n: n.payload.get("body", ""))
    url = fields.Function(lambda n: n.payload.get("url", ""))


class NotificationListArgsSchema(Schema):
    """Filters for the outbox listing."""

    state = fields.String(
        load_default=None, validate=validate.OneOf(["pending", "sent", "failed", "cancelled",
                                                    "skipped"])
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
