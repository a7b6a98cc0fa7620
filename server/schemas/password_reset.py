"""Schemas for the one-time password reset."""

from __future__ import annotations

from marshmallow import fields, validate

from . import StrictSchema


class PasswordResetSchema(StrictSchema):
    """A reset link's token and the new password."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=500))
    password = fields.String(required=True, validate=validate.Length(max=256))
