"""Personal API tokens for scripts (iOS Shortcuts, Tasker, curl)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import func, select

from ..auth import revoke_tokens
from ..crypto import new_token, sha256_hex
from ..errors import ApiError
from ..extensions import db
from ..models import ApiToken, utcnow
from ..schemas.auth import TokenCreateSchema, TokenInfoSchema, TokenSchema, TokensRevokedSchema

blp = Blueprint("tokens", __name__, url_prefix="/api/tokens", description="Personal API tokens")
MAX_TOKENS = 20


@blp.route("", methods=["GET"])
@blp.response(200, TokenInfoSchema(many=True))
@login_required
def list_tokens() -> list[ApiToken]:
    """The user's tokens (never the secrets)."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id)
        )
    )


@blp.route("", methods=["POST"])
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenSchema)
@login_required
def create_token(data: dict[str, Any]) -> ApiToken:
    """Create a token; its secret is in this answer only."""
    count = db.session.scalar(
        select(func.count()).where(ApiToken.user_id == current_user.id)
    )
    if (count or 0) >= MAX_TOKENS:
        raise ApiError(409, f"You already have {MAX_TOKENS} tokens; revoke one first.")
    secret = new_token(prefix="rpt_", nbytes=32)
    expires = utcnow() + timedelta(days=data["expires_in_days"]) if data["expires_in_days"] else None
    token = ApiToken(
        user_id=current_user.id,
        name=data["name"],
        token_hash=sha256_hex(secret),
        prefix=secret[:8],
        expires_at=expires,
        scopes=" ".join(dict.fromkeys(data["scopes"])),
    )
    db.session.add(token)
    db.session.commit()
    token.token = secret  # type: ignore[attr-defined]  # shown in this answer only
    return token


@blp.route("/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def revoke_token(token_id: int) -> None:
    """Revoke a token at once."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == current_user.id)
    )
    if token is None:
        raise ApiError(404, "No such token.")
    db.session.delete(token)
    db.session.commit()


@blp.route("", methods=["DELETE"])
@blp.response(200, TokensRevokedSchema)
@login_required
def revoke_all() -> dict[str, int]:
    """Revoke every token at once (scripts using any of them stop working)."""
    revoked = revoke_tokens(current_user.id)
    db.session.commit()
    return {"revoked": revoked}
