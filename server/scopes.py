"""What an API token may do: its scopes, and the scope each route needs."""

from __future__ import annotations

from .models import User

# Each scope and the scopes it includes. `log` may only create log entries (and replay them).
TOKEN_SCOPES: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "log": frozenset({"log"}),
    "write": frozenset({"read", "log", "write"}),
    "admin": frozenset({"read", "log", "write", "admin"}),
}
# Blueprints whose every route is `admin` for a token: tokens and the account itself.
ADMIN_BLUEPRINTS = frozenset({"auth", "tokens"})
# Routes whose scope is not the default (GET: read, anything else: write, ADMIN_BLUEPRINTS: admin).
ENDPOINT_SCOPES: dict[str, str] = {
    "auth.me": "read",
    "auth.csrf_token": "read",
    "interactions.put_log": "log",
    "data_io.export_json": "admin",
    "data_io.import_json": "admin",
    "data_io.export_vcard": "admin",
    "data_io.read_feed_url": "admin",  # hands out the feed secret
    "data_io.rotate_feed_url": "admin",
    "data_io.disable_feed": "admin",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(method: str, endpoint: str) -> str:
    """The scope a bearer token needs for this route."""
    if endpoint in ENDPOINT_SCOPES:
        return ENDPOINT_SCOPES[endpoint]
    if endpoint.partition(".")[0] in ADMIN_BLUEPRINTS:
        return "admin"
    return "read" if method in SAFE_METHODS else "write"


def granted_scopes(names: list[str]) -> frozenset[str]:
    """Everything a token with these scopes may do."""
    return frozenset().union(*(TOKEN_SCOPES.get(name, frozenset()) for name in names))


def may(user: User, scope: str) -> bool:
    """True when this request's identity allows `scope` (a signed-in browser allows all)."""
    return not user.via_token or scope in user.token_scopes
