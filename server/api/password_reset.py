"""Setting a new password from a one-time reset link (made by `rapport reset-password`)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import login_user
from flask_smorest import Blueprint

from ..auth import end_sessions, hash_password, password_problem, start_session
from ..errors import ApiError
from ..extensions import db, limiter
from ..models import User, utcnow
from ..password_reset import user_for_reset_token
from ..schemas.auth import UserSchema
from ..schemas.password_reset import PasswordResetSchema

blp = Blueprint("password_reset", __name__, url_prefix="/api/auth", description="Accounts and sessions")


@blp.route("/reset", methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(200, UserSchema)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def reset_password(data: dict[str, Any]) -> User:
    """Set a new password with a reset link's token; every session ends and this one starts."""
    user = user_for_reset_token(data["token"], current_app.config["SECRET_KEY"], utcnow())
    if user is None:
        raise ApiError(400, "This reset link is not valid any more. Ask for a new one.")
    problem = password_problem(data["password"], user.email)
    if problem:
        raise ApiError(422, "Some fields are not valid.", {"password": [problem]})
    user.password_hash = hash_password(data["password"])
    end_sessions(user)
    start_session(user, remember=True, user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=True)
    return user
