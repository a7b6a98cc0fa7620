"""Devices a user registered for push: validation, upsert by endpoint, removal."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ..errors import ApiError
from ..extensions import db
from ..models.base import upsert_insert
from ..models.push import PushSubscription

# Hosts of the push services browsers use; "." prefix means "any subdomain of".
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Samsung Internet, Opera
    ".push.services.mozilla.com",  # Firefox (autopush)
    ".push.apple.com",  # Safari on macOS and iOS/iPadOS 16.4+
    ".notify.windows.com",  # Edge on Windows (WNS)
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _host_allowed(host: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern.startswith("*."):
            pattern = pattern[1:]
        if pattern.startswith("."):
            if host.endswith(pattern) and len(host) > len(pattern):
                return True
        elif host == pattern:
            return True
    return False


def check_endpoint(endpoint: str, extra_hosts: Iterable[str], allow_private: bool) -> str:
    """Accept only https:// endpoints of known push services (loopback too in development)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower().rstrip(".")
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise _invalid("endpoint", "That is not a valid URL.") from None
    if parts.username or parts.password or not host:
        raise _invalid("endpoint", "That is not a valid push endpoint.")
    if allow_private and host in LOOPBACK_HOSTS and parts.scheme in ("http", "https"):
        return endpoint
    if parts.scheme != "https":
        raise _invalid("endpoint", "Push endpoints must use https://.")
    if not _host_allowed(host, (*PUSH_SERVICE_HOSTS, *extra_hosts)):
        raise _invalid("endpoint", "That push service is not one this server sends to.")
    return endpoint


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_keys(p256dh: str, auth: str) -> None:
    """The browser's keys: a P-256 public point (65 bytes) and a 16-byte auth secret."""
    from cryptography.hazmat.primitives.asymmetric import ec  # ~8 MB; only a subscribe needs it

    errors: dict[str, list[str]] = {}
    try:
        point = _b64url(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError
    except (ValueError, binascii.Error):
        errors["keys.p256dh"] = ["Not an uncompressed P-256 public key in base64url."]
    try:
        if len(_b64url(auth)) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        errors["keys.auth"] = ["Not a 16-byte auth secret in base64url."]
    if errors:
        raise ApiError(422, "Some fields are not valid.", errors)


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, {field: [message]})


def list_subscriptions(user_id: int) -> list[PushSubscription]:
    """The user's devices, newest first."""
    stmt = (
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    )
    return list(db.session.scalars(stmt))


def save_subscription(
    user_id: int,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str,
    now: datetime,
    max_per_user: int,
) -> tuple[PushSubscription, bool]:
    """Upsert by endpoint; returns (subscription, created). Oldest devices make room past the cap.

    The endpoint is a capability held by one browser profile: when it re-subscribes with new
    keys the row follows it instead of duplicating. An endpoint registered to someone else
    moves only with proof that the caller is that browser: the same keys (the auth secret is
    never shown to anyone); otherwise it is refused and stays with its owner.
    """
    # Insert-or-nothing first: two registrations of one new endpoint at the same moment (the
    # app's start and Settings, say) then meet on the row instead of on its unique key.
    table = PushSubscription.__table__
    created = db.session.execute(
        upsert_insert(db.session.get_bind().dialect.name)(table)
        .values(endpoint=endpoint, user_id=user_id, p256dh=p256dh, auth=auth,
                user_agent=user_agent[:300], created_at=now)
        .on_conflict_do_nothing(index_elements=["endpoint"])
        .returning(table.c.id)
    ).first() is not None
    row = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint).with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None  # inserted above, or there already
    if row.user_id != user_id:
        if not (
            hmac.compare_digest(row.auth.encode(), auth.encode())
            and hmac.compare_digest(row.p256dh.encode(), p256dh.encode())
        ):
            raise ApiError(409, "That device is registered to another account.")
        row.user_id = user_id
        row.created_at = now
        row.last_success_at = None
    row.p256dh, row.auth = p256dh, auth
    row.user_agent = user_agent[:300]
    row.failure_count, row.last_error, row.last_failure_at = 0, "", None
    db.session.flush()
    _evict_beyond_cap(user_id, keep=row.id, max_per_user=max_per_user)
    return row, created


def _evict_beyond_cap(user_id: int, keep: int, max_per_user: int) -> None:
    """Drop the least recently working devices so a new phone always gets notifications."""
    count = db.session.scalar(
        select(func.count()).select_from(PushSubscription).where(
            PushSubscription.user_id == user_id
        )
    ) or 0
    excess = count - max_per_user
    if excess <= 0:
        return
    stale = db.session.scalars(
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id, PushSubscription.id != keep)
        .order_by(
            func.coalesce(PushSubscription.last_success_at, PushSubscription.created_at),
            PushSubscription.id,
        )
        .limit(excess)
    )
    for old in stale:
        db.session.delete(old)


def remove_subscription(user_id: int, endpoint: str) -> None:
    """Forget one of the user's devices; another user's endpoint answers 404."""
    row = db.session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id
        )
    )
    if row is None:
        raise ApiError(404, "No such device is registered.")
    db.session.delete(row)
