"""The one JSON error path: every failure becomes {code, message, errors?}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a view raises on purpose; rendered as JSON with its status."""

    def __init__(self, status: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def error_response(status: int, message: str, errors: Any = None) -> Response:
    """Build the JSON error body."""
    body: dict[str, Any] = {"code": status, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def _validation_errors(exc: HTTPException) -> Any:
    """Flatten webargs' {location: {field: [...]}} into {field: [...]}."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    flat: dict[str, Any] = {}
    for value in messages.values():
        if isinstance(value, dict):
            # A multipart part can arrive without a name: marshmallow keys it None.
            flat.update({"" if k is None else str(k): v for k, v in value.items()})
    return flat or messages


MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "You are not allowed to do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    409: "That conflicts with what is already there.",
    413: "That upload is too large.",
    415: "Send JSON with Content-Type: application/json.",
    422: "Some fields are not valid.",
    429: "Too many attempts; please wait a moment.",
}


def handle_http_exception(exc: HTTPException) -> Response:
    """Render any HTTP error (abort, webargs validation, 404 routing) as JSON."""
    status = exc.code or 500
    errors = _validation_errors(exc)
    message = MESSAGES.get(status) if errors or status == 422 else None
    if message is None:
        data = getattr(exc, "data", None) or {}
        message = data.get("message") or exc.description or MESSAGES.get(status, "Error.")
    response = error_response(status, str(message), errors)
    if status == 429 and exc.response is not None:
        for header in ("Retry-After", "X-RateLimit-Reset"):
            if header in exc.response.headers:
                response.headers[header] = exc.response.headers[header]
    if status == 405 and exc.response is None:
        allow = getattr(exc, "valid_methods", None)
        if allow:
            response.headers["Allow"] = ", ".join(allow)
    return response


def register_errorhandlers(app: Flask) -> None:
    """Install the handlers; called by the factory after flask-smorest installed its own."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        db.session.rollback()
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_response(400, f"CSRF check failed: {exc.description}")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        db.session.rollback()
        return handle_http_exception(exc)

    @app.errorhandler(SQLAlchemyError)
    def _db_error(exc: SQLAlchemyError) -> Response:
        db.session.rollback()
        log.exception("database error")
        return error_response(500, "A database error occurred; nothing was changed.")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        db.session.rollback()
        log.exception("unexpected error")
        return error_response(500, "Something went wrong on our side; nothing was changed.")
