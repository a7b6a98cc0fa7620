"""Passwords, login sessions, personal tokens and the CSRF rule for cookie requests."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Request, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy import Integer, String, bindparam, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property
from wtforms import ValidationError

from .crypto import new_token, sha256_hex
from .errors import ApiError, error_response
from .extensions import db, login_manager
from .models import ApiToken, User, UserSession, utcnow
from .scopes import granted_scopes, may, required_scope

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@cache
def _hasher() -> PasswordHasher:
    """The Argon2id hasher, loaded with the first password set or checked: argon2 is 2.5 MB
    resident and making the timing hash below 0.1 s of CPU, which a web process that only
    serves signed-in requests never needs. OWASP's floor is m=19 MiB, t=2, p=1; we sit above."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=47104, parallelism=1)


@cache
def _dummy_hash() -> str:
    """A fixed hash to verify against when the account does not exist, so timing does not tell."""
    return _hasher().hash("not a real password, only for timing")


SESSION_TOUCH_INTERVAL = timedelta(minutes=10)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def common_passwords() -> list[str]:
    """The breach-corpus list of passwords refused outright (lower-cased; see its header)."""
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    lines = (line.strip().lower() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@cache
def _common_passwords_text() -> str:
    # One newline-delimited string: 0.3 MB resident, where a set of the 30,000 entries kept
    # ~7 MB in every web process that ever checked a new password.
    return "\n" + "\n".join(common_passwords()) + "\n"


def is_common_password(password: str) -> bool:
    """Whether the password (any capitalisation) is on the common-passwords list."""
    lowered = password.lower()
    return "\n" not in lowered and f"\n{lowered}\n" in _common_passwords_text()


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < 8:
        return "Use at least 8 characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    if is_common_password(password) or (email and password.lower() == email.lower()):
        return "That password is too common; choose another."
    if len(set(password)) < 3:
        return "That password is too easy to guess; choose another."
    return None


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify a password, rehashing when our parameters changed (caller commits)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher, dummy = _hasher(), _dummy_hash()  # made on the first check, whoever it is for
    if user is None:
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def start_session(user: User, remember: bool, user_agent: str) -> User:
    """Create a login session row and make it the identity Flask-Login stores."""
    secret = new_token(nbytes=24)
    row = UserSession(
        user=user, secret_hash=sha256_hex(secret), remember=remember, user_agent=user_agent[:300]
    )
    db.session.add(row)
    db.session.flush()
    user.login_id = f"{row.id}.{secret}"
    return user


def end_sessions(user: User, keep_id: int | None = None) -> int:
    """End every session of a user except `keep_id`; returns how many ended."""
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    ended = 0
    for row in rows:
        if row.id != keep_id:
            db.session.delete(row)
            ended += 1
    return ended


def revoke_tokens(user_id: int) -> int:
    """Revoke every personal API token of a user (caller commits); returns how many."""
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()
    for token in tokens:
        db.session.delete(token)
    return len(tokens)


def current_session_id() -> int | None:
    """The id of the session this request is signed in through (None for tokens)."""
    login_id = getattr(current_user, "login_id", None)
    if not login_id or getattr(current_user, "via_token", False):
        return None
    return int(login_id.split(".", 1)[0])


# Every request reads its credential and user in one statement, kept rather than built anew.
_SESSION_USER = (
    select(UserSession, User).join(User, User.id == UserSession.user_id)
    .where(UserSession.id == bindparam("session_id", type_=Integer()))
)
_TOKEN_USER = (
    select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash", type_=String()))
)


def load_session_user(login_id: str, now: datetime | None = None) -> User | None:
    """Flask-Login user loader: the cookie names a session row and carries its secret."""
    session_id, _, secret = login_id.partition(".")
    if not session_id.isdigit() or not secret:
        return None
    found = db.session.execute(_SESSION_USER, {"session_id": int(session_id)}).first()
    if found is None or not hmac.compare_digest(found[0].secret_hash, sha256_hex(secret)):
        return None
    row, user = found
    now = now or utcnow()
    if now - row.last_seen_at > SESSION_TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.commit()
    user.login_id = login_id
    return user


def load_token_user(header: str, now: datetime | None = None) -> User | None:
    """The user of `Authorization: Bearer <token>`, with the token's scopes on it."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = db.session.execute(_TOKEN_USER, {"token_hash": sha256_hex(token.strip())}).first()
    now = now or utcnow()
    if found is None or (found[0].expires_at is not None and found[0].expires_at <= now):
        return None
    row, user = found
    if row.last_used_at is None or now - row.last_used_at > SESSION_TOUCH_INTERVAL:
        row.last_used_at = now
        db.session.commit()
    user.via_token = True
    user.login_id = None
    user.token_scopes = granted_scopes(row.scope_names)
    return user


def request_token_user(header: str) -> User | None:
    """The bearer token's user for this request, looked up once even when asked twice."""
    cached = g.get("token_user")
    if cached is None or cached[0] != header:
        cached = g.token_user = (header, load_token_user(header))
    return cached[1]


class OneIdentityRequest(Request):
    """A request that carries an Authorization header is that credential alone: its cookies
    (session, remember-me) are not read, so a token never mixes with a browser's sign-in."""

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        """No cookies when the request authenticates itself; the real ones otherwise."""
        if "Authorization" in self.headers:
            return ImmutableMultiDict()
        return super().cookies


def check_csrf_header() -> None:
    """A cookie request that changes data must carry the CSRF token in its header.

    Only the header counts: every client of ours sends it, and reading a form field would make
    the check parse the body (flask-wtf's own lookup fails on a multipart part without a name).
    """
    token = next(
        (request.headers[h] for h in current_app.config["WTF_CSRF_HEADERS"] if request.headers.get(h)),
        None,
    )
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc
    g.csrf_valid = True


def rotate_csrf_token() -> None:
    """Give this browser a new CSRF secret, so a token from before a login or logout is refused.

    The new secret goes into this answer's session cookie at once: the app's next requests,
    however many run in parallel, are then all handed tokens for the same secret.
    """
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    generate_csrf()


def init_auth(app: Flask) -> None:
    """Wire Flask-Login loaders, one identity per request and the CSRF rule into the app."""
    app.request_class = OneIdentityRequest
    login_manager.session_protection = None  # sessions are revocable rows instead

    @login_manager.user_loader
    def _load_user(login_id: str) -> User | None:
        return load_session_user(login_id)

    @login_manager.request_loader
    def _load_from_request(req) -> User | None:  # type: ignore[no-untyped-def]
        header = req.headers.get("Authorization")
        if header:
            g.bearer_attempted = True
            return request_token_user(header)
        return None

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        if g.get("bearer_attempted"):
            return error_response(401, "That API token is not valid (revoked, expired or unknown).")
        return error_response(401, "Please sign in.")

    @app.before_request
    def _check_identity() -> None:
        """Bearer requests need a valid token whose scopes allow the route; cookie requests
        that change data need the CSRF header."""
        if request.endpoint is None:
            return  # 404 / 405 will answer
        header = request.headers.get("Authorization")
        if header is not None and request.path.startswith("/api/"):
            # A cross-site page cannot set this header without CORS, which we never grant.
            user = request_token_user(header)
            if user is None:
                raise ApiError(401, "That API token is not valid (revoked, expired or unknown).")
            needed = required_scope(request.method, request.endpoint)
            if not may(user, needed):
                raise ApiError(403, f"This token may not do that; it needs the '{needed}' scope.")
            return
        if request.method in UNSAFE_METHODS:
            check_csrf_header()
