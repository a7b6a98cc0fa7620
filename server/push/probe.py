"""The test push from settings: one message to every device, reported per device."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models.push import Notification, NotificationDelivery, PushSubscription
from .delivery import PushContext, send_to_device
from .devices import DeviceResult, push_host, record_device_results
from .payload import build_payload, encode_payload, tag_for

PROBE_HOLD = timedelta(hours=1)  # longer than sending to every device can take


def send_test_push(ctx: PushContext, user_id: int, now: datetime) -> dict[str, Any]:
    """Push a test message to each of the user's devices now and record it in the outbox."""
    key = f"test:{user_id}:{uuid.uuid4().hex}"
    payload = build_payload(
        kind="test",
        title="Notifications work",
        body="This is how Rapport will remind you after meetings and before birthdays.",
        url="/settings",
        tag=tag_for(f"test:{user_id}"),
        base_url=ctx.base_url,
    )
    row = Notification(
        user_id=user_id, key=key, kind="test", scheduled_for=now, due_at=now,
        state="pending", attempts=1, payload=payload, created_at=now, updated_at=now,
        lease_owner="api", lease_until=now + PROBE_HOLD,  # not for the worker to pick up
    )
    db.session.add(row)
    subs = list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.id)
        )
    )
    db.session.commit()  # nothing held open while we wait on push services
    devices: list[dict[str, Any]] = []
    health: list[DeviceResult] = []
    data = encode_payload(payload)
    for sub in subs:
        result = send_to_device(ctx, sub.subscription_info(), key, "test", data)
        devices.append(
            {
                "subscription_id": sub.id,
                "user_agent": sub.user_agent,
                "ok": result.outcome == "sent",
                "outcome": result.outcome,
                "status": result.status,
                "removed": result.outcome == "gone",
                "detail": result.detail,
            }
        )
        if result.outcome in ("sent", "rejected"):
            db.session.add(NotificationDelivery(
                notification_id=row.id, subscription_id=sub.id, status=result.status,
                state="sent" if result.outcome == "sent" else "rejected", created_at=now,
            ))
        health.append(DeviceResult(sub.id, push_host(sub.endpoint), result, now))
    record_device_results(health)
    sent = sum(1 for d in devices if d["ok"])
    row.state = "sent" if sent else ("skipped" if not devices else "failed")
    row.sent_at = now if sent else None
    row.outcome = f"{sent} of {len(devices)} devices accepted it"
    row.lease_owner, row.lease_until = None, None
    db.session.commit()
    return {"sent": sent, "devices": devices}
