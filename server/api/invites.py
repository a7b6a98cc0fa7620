"""Invitations: admins make, list and revoke single-use sign-up links; anyone may check one."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..errors import ApiError
from ..extensions import account_key, db, limiter
from ..invites import (
    FIRST_ACCOUNT_KEY,
    create_invite,
    invite_problem,
    join_url,
    open_invites,
    revoke_invite,
)
from ..models import Invite, SystemState, User, utcnow
from ..schemas.auth import (
    InviteCreateSchema,
    InviteInfoSchema,
    InviteSchema,
    RegistrationArgsSchema,
    RegistrationSchema,
)

blp = Blueprint("invites", __name__, url_prefix="/api/auth", description="Invitations")


def _admin() -> User:
    if not current_user.is_admin:
        raise ApiError(403, "Only the admin can invite people.")
    user: User = current_user
    return user


@blp.route("/invites", methods=["POST"])
@blp.arguments(InviteCreateSchema)
@blp.response(201, InviteSchema)
@login_required
@limiter.limit(lambda: current_app.config["INVITE_LIMIT"], key_func=account_key)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """Admins: make a single-use invitation link that expires."""
    invite, code = create_invite(
        _admin(), utcnow(), label=data["label"], days=data["expires_in_days"]
    )
    db.session.commit()
    return {**_info(invite), "code": code, "url": join_url(current_app.config["BASE_URL"], code)}


@blp.route("/invites", methods=["GET"])
@blp.response(200, InviteInfoSchema(many=True))
@login_required
def list_open() -> list[Invite]:
    """Admins: the invitations that can still be used."""
    return open_invites(_admin(), utcnow())


@blp.route("/invites/<int:invite_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def revoke(invite_id: int) -> None:
    """Admins: revoke an invitation so its link stops working."""
    revoke_invite(_admin(), invite_id)
    db.session.commit()


@blp.route("/registration", methods=["GET"])
@blp.arguments(RegistrationArgsSchema, location="query")
@blp.response(200, RegistrationSchema)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def registration(args: dict[str, Any]) -> dict[str, Any]:
    """Whether a sign-up would be let in here (with the link's code), and if not, why."""
    mode = current_app.config["REGISTRATION"]
    first = db.session.get(SystemState, FIRST_ACCOUNT_KEY) is None
    message = None
    if not first and mode == "closed":
        message = "Sign-up is closed on this server."
    elif not first and mode == "invite":
        message = invite_problem(args["code"], utcnow())
    return {"mode": mode, "first_account": first, "allowed": message is None, "message": message}


def _info(invite: Invite) -> dict[str, Any]:
    return {
        "id": invite.id,
        "label": invite.label,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
    }
