"""Schemas for accounts, sessions, tokens and invitations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..scopes import TOKEN_SCOPES
from ..settings import validate_timezone
from . import StrictSchema

TOKEN_SCOPE_NAMES = tuple(TOKEN_SCOPES)
EMAIL = fields.Email(required=True, validate=validate.Length(max=254))


class RegisterSchema(StrictSchema):
    """Create an account."""

    email = EMAIL
    password = fields.String(required=True, validate=validate.Length(max=256))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    timezone = fields.String(load_default="UTC", validate=validate_timezone)
    invite = fields.String(load_default=None, validate=validate.Length(max=100))


class LoginSchema(StrictSchema):
    """Sign in; remember-me defaults on, as a phone app should."""

    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    remember = fields.Boolean(load_default=True)


class UserSchema(Schema):
    """The signed-in user."""

    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)
    is_admin = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class MeUpdateSchema(StrictSchema):
    """Change profile fields; changing the e-mail needs the password."""

    name = fields.String(validate=validate.Length(max=200))
    timezone = fields.String(validate=validate_timezone)
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(max=256))


class PasswordChangeSchema(StrictSchema):
    """Change the password; other sessions end."""

    current = fields.String(required=True, validate=validate.Length(max=256))
    new = fields.String(required=True, validate=validate.Length(max=256))
    revoke_tokens = fields.Boolean(
        load_default=False, metadata={"description": "Also revoke every personal API token."}
    )


class PasswordConfirmSchema(StrictSchema):
    """Confirm a destructive action with the password."""

    password = fields.String(required=True, validate=validate.Length(max=256))


class CsrfSchema(Schema):
    """The CSRF token to send as X-CSRFToken, and whether this request carries a live session."""

    csrf_token = fields.String()
    signed_in = fields.Boolean()


class SessionSchema(Schema):
    """One signed-in browser."""

    id = fields.Integer()
    user_agent = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    current = fields.Boolean()


class TokenCreateSchema(StrictSchema):
    """Create a personal API token with the scopes it may use and an optional expiry."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(TOKEN_SCOPE_NAMES)),
        load_default=lambda: ["write"],
        validate=validate.Length(min=1, max=len(TOKEN_SCOPE_NAMES)),
        metadata={
            "description": "read: look only; log: create log entries only; write: everyday "
            "use (read, log and edit); admin: also tokens, account, export and restore."
        },
    )
    expires_in_days = fields.Integer(load_default=None, validate=validate.Range(1, 3650))


class TokenInfoSchema(Schema):
    """A personal API token as listed (never the secret)."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    scopes = fields.List(fields.String(), attribute="scope_names")
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class TokensRevokedSchema(Schema):
    """How many tokens a "revoke all" ended."""

    revoked = fields.Integer()


class TokenSchema(TokenInfoSchema):
    """A new personal API token with its secret, shown once."""

    token = fields.String(metadata={"description": "Shown once, at creation."})


class InviteCreateSchema(StrictSchema):
    """Make an invitation: who it is for (optional) and how long it stays valid."""

    label = fields.String(load_default="", validate=validate.Length(max=100))
    expires_in_days = fields.Integer(load_default=7, validate=validate.Range(1, 90))


class InviteInfoSchema(Schema):
    """An open invitation as listed (the code itself is only shown when it is made)."""

    id = fields.Integer()
    label = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)


class InviteSchema(InviteInfoSchema):
    """A new invitation with its single-use code and link, shown once."""

    code = fields.String()
    url = fields.String(metadata={"description": "The sign-up link with the code filled in."})


class RegistrationArgsSchema(Schema):
    """An invitation code to check, from the sign-up link."""

    code = fields.String(load_default=None, validate=validate.Length(max=100))


class RegistrationSchema(Schema):
    """Whether a new person can sign up here, and with this code."""

    mode = fields.String(metadata={"description": "open, invite or closed"})
    first_account = fields.Boolean(metadata={"description": "No account yet: the next is admin."})
    allowed = fields.Boolean(metadata={"description": "A sign-up with this code would be let in."})
    message = fields.String(allow_none=True, metadata={"description": "Why not, in plain words."})
