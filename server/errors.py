"""The one JSON error path: every failure becomes {code, message, errors?}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
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


# PostgreSQL's "serialization failure" and "deadlock detected": a concurrent write won.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})
DATABASE_MESSAGES = {
    409: "That conflicts with a change made at the same moment; nothing was changed. Try again.",
    500: "A database error occurred; nothing was changed.",
    503: "The database is unavailable right now; nothing was changed. Try again shortly.",
}


def database_error_status(exc: SQLAlchemyError) -> int:
    """409 for a lost race, 503 while the database cannot be reached or is busy, else 500."""
    if isinstance(exc, IntegrityError):
        return 409
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in CONFLICT_SQLSTATES:
        return 409
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError | DisconnectionError):
        return 503
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return 503
    return 500


def _rollback() -> None:
    """Roll back the request's transaction; a connection that died is discarded instead."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()


def register_errorhandlers(app: Flask) -> None:
    """Install the handlers; called by the factory after flask-smorest installed its own."""

    @app.teardown_appcontext
    def _end_transaction(_exc: BaseException | None) -> None:
        """Close the session before Flask-SQLAlchemy does, so a database that went away after
        the answer was built cannot turn that answer into a server error."""
        try:
            db.session.close()
        except SQLAlchemyError:
            db.session().invalidate()

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        _rollback()
        return error_response(exc.status, exc.message, exc.errors)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_response(400, f"CSRF check failed: {exc.description}")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        _rollback()
        return handle_http_exception(exc)

    @app.errorhandler(SQLAlchemyError)
    def _db_error(exc: SQLAlchemyError) -> Response:
        _rollback()
        status = database_error_status(exc)
        if status == 500:
            log.exception("database error")
        else:
            log.warning("database answered %s: %s", status, type(exc).__name__)
        response = error_response(status, DATABASE_MESSAGES[status])
        if status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        _rollback()
        log.exception("unexpected error")
        return error_response(500, "Something went wrong on our side; nothing was changed.")
