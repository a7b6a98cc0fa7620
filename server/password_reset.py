"""Forgotten passwords without e-mail: an operator prints a one-time link with `rapport
reset-password`; the link is signed, expires, and stops working once the password changes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from .extensions import db
from .models import User

SALT = "rapport.password-reset"
DEFAULT_VALID_FOR = timedelta(hours=24)


def _password_mark(user: User) -> str:
    """Changes whenever the password does (new salt each time), so a link works only once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def make_reset_token(user: User, secret_key: str, expires_at: datetime) -> str:
    """A signed token naming the user, the password it may replace, and when it expires."""
    return _serializer(secret_key).dumps(
        {"user": user.id, "mark": _password_mark(user), "expires": int(expires_at.timestamp())}
    )


def reset_link(base_url: str, token: str) -> str:
    """The address of the app's reset screen for a token."""
    return f"{base_url}/reset?token={token}"


def user_for_reset_token(token: str, secret_key: str, now: datetime) -> User | None:
    """The user a valid, unexpired, unused token belongs to; None otherwise."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    if not isinstance(data.get("expires"), int) or data["expires"] <= now.timestamp():
        return None
    user = db.session.get(User, data["user"])
    if user is None or data.get("mark") != _password_mark(user):
        return None
    return user
