"""Accounts and sessions: register, log in and out, profile, password, delete."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user, login_required, login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth import (
    check_password,
    current_session_id,
    end_sessions,
    hash_password,
    password_problem,
    revoke_tokens,
    rotate_csrf_token,
    start_session,
)
from ..errors import ApiError
from ..extensions import account_key, db, limiter
from ..invites import claim_first_account, redeem_invite, release_first_account
from ..models import User, UserSession, utcnow
from ..schemas.auth import (
    CsrfSchema,
    LoginSchema,
    MeUpdateSchema,
    PasswordChangeSchema,
    PasswordConfirmSchema,
    RegisterSchema,
    SessionSchema,
    UserSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Accounts and sessions")


def _login_email_key() -> str:
    """Rate-limit key for one account: the e-mail being tried."""
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else None
    return f"login:{str(email or '').strip().lower()[:254]}"


def _email_taken(email: str, except_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.email == email)
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) is not None


@blp.route("/register", methods=["POST"])
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def register(data: dict[str, Any]) -> User:
    """Create an account and sign in; the first account becomes the admin."""
    mode = current_app.config["REGISTRATION"]
    email = data["email"].lower()
    problem = password_problem(data["password"], email)
    if problem:
        raise ApiError(422, "Some fields are not valid.", {"password": [problem]})
    # Hash before claiming: the claim holds the write lock until the commit.
    password_hash = hash_password(data["password"])
    now = utcnow()
    first = claim_first_account(email)
    if mode == "closed" and not first:
        raise ApiError(403, "Registration is closed on this server.")
    if mode == "invite" and not first:
        redeem_invite(data.get("invite"), now)
    if _email_taken(email):
        raise ApiError(409, "An account with that e-mail already exists.")
    user = User(
        email=email,
        password_hash=password_hash,
        name=data["name"],
        timezone=data["timezone"],
        is_admin=first,
        settings={},
    )
    db.session.add(user)
    start_session(user, remember=True, user_agent=request.user_agent.string)
    try:
        db.session.commit()
    except IntegrityError:  # the same e-mail signed up at the same moment
        db.session.rollback()
        raise ApiError(409, "An account with that e-mail already exists.") from None
    rotate_csrf_token()
    login_user(user, remember=True)
    return user


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, UserSchema)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_email_key)
def login(data: dict[str, Any]) -> User:
    """Sign in with e-mail and password."""
    user = db.session.scalar(select(User).where(User.email == data["email"].lower()))
    if not check_password(user, data["password"]):
        raise ApiError(401, "Wrong e-mail or password.")
    assert user is not None
    start_session(user, remember=data["remember"], user_agent=request.user_agent.string)
    db.session.commit()
    rotate_csrf_token()
    login_user(user, remember=data["remember"])
    return user


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout() -> None:
    """End this session (its remember cookie stops working too)."""
    session_id = current_session_id() if current_user.is_authenticated else None
    if session_id is not None:
        row = db.session.get(UserSession, session_id)
        if row is not None:
            db.session.delete(row)
            db.session.commit()
    rotate_csrf_token()
    logout_user()


@blp.route("/logout-all", methods=["POST"])
@blp.response(204)
@login_required
def logout_all() -> None:
    """Sign out everywhere, this browser included."""
    end_sessions(current_user)
    db.session.commit()
    rotate_csrf_token()
    logout_user()


@blp.route("/sessions", methods=["GET"])
@blp.response(200, SessionSchema(many=True))
@login_required
def list_sessions() -> list[dict[str, Any]]:
    """The browsers signed in to this account."""
    this = current_session_id()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == current_user.id)
        .order_by(UserSession.last_seen_at.desc())
    )
    return [
        {
            "id": r.id,
            "user_agent": r.user_agent,
            "created_at": r.created_at,
            "last_seen_at": r.last_seen_at,
            "current": r.id == this,
        }
        for r in rows
    ]


@blp.route("/sessions/<int:session_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_session(session_id: int) -> None:
    """Sign one browser out."""
    row = db.session.scalar(
        select(UserSession).where(
            UserSession.id == session_id, UserSession.user_id == current_user.id
        )
    )
    if row is None:
        raise ApiError(404, "No such session.")
    db.session.delete(row)
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
@login_required
def me() -> User:
    """Who am I."""
    return current_user


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MeUpdateSchema)
@blp.response(200, UserSchema)
@login_required
def update_me(data: dict[str, Any]) -> User:
    """Change name, time zone or e-mail (the e-mail needs the password)."""
    user: User = current_user
    if "email" in data and data["email"].lower() != user.email:
        if not check_password(user, data.get("password") or ""):
            raise ApiError(401, "Enter your current password to change your e-mail.")
        if _email_taken(data["email"].lower(), except_id=user.id):
            raise ApiError(409, "An account with that e-mail already exists.")
        user.email = data["email"].lower()
    if "name" in data:
        user.name = data["name"]
    if "timezone" in data:
        user.timezone = data["timezone"]
    db.session.commit()
    return user


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@login_required
@limiter.limit(lambda: current_app.config["PASSWORD_CHANGE_LIMIT"], key_func=account_key)
def change_password(data: dict[str, Any]) -> None:
    """Change the password; every other session ends (and every API token, if asked)."""
    user: User = current_user
    if not check_password(user, data["current"]):
        raise ApiError(401, "Your current password is not right.")
    problem = password_problem(data["new"], user.email)
    if problem:
        raise ApiError(422, "Some fields are not valid.", {"new": [problem]})
    user.password_hash = hash_password(data["new"])
    end_sessions(user, keep_id=current_session_id())
    if data["revoke_tokens"]:
        revoke_tokens(user.id)
    db.session.commit()


@blp.route("/me", methods=["DELETE"])
@blp.arguments(PasswordConfirmSchema)
@blp.response(204)
@login_required
@limiter.limit(lambda: current_app.config["ACCOUNT_DELETE_LIMIT"], key_func=account_key)
def delete_me(data: dict[str, Any]) -> None:
    """Delete the account and everything it owns."""
    user: User = current_user._get_current_object()
    if not check_password(user, data["password"]):
        raise ApiError(401, "Your password is not right.")
    from ..account import delete_account

    rotate_csrf_token()
    logout_user()
    delete_account(user)
    release_first_account()
    db.session.commit()


@blp.route("/csrf", methods=["GET"])
@blp.response(200, CsrfSchema)
def csrf_token() -> dict[str, Any]:
    """A CSRF token to send as X-CSRFToken on unsafe requests; says if the session is live.

    The app asks this on start, so a browser holding only the session cookie (no local
    storage) opens signed in without a 401 for everyone who is signed out."""
    return {"csrf_token": generate_csrf(), "signed_in": bool(current_user.is_authenticated)}

