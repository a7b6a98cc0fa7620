"""Rapport: a personal relationship manager. `create_app` is the only place that builds the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import Config
from .json_body import BoundedJSONProvider
from .logs import configure_logging

JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data",)


class IdConverter(IntegerConverter):
    """`<int:id>` limited to what an INTEGER column holds, so a huge id is a 404, not a crash."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Config | Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app from a Config (default: from the environment) plus overrides."""
    app = Flask(__name__, static_folder=None)
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    if isinstance(config, Config):
        app.config.update(config.finalize())
    else:
        app.config.update(Config().finalize())
        if config:
            app.config.update(config)
    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_rules(app)
    register_response_rules(app)
    if app.config["VERIFY_KEY_FINGERPRINTS"]:
        verify_keys(app)
    return app


def verify_keys(app: Flask) -> None:
    """Refuse to run with keys other than the database's (once migrations created its table)."""
    from sqlalchemy import inspect

    from .extensions import db
    from .keys import verify_key_fingerprints

    with app.app_context():
        if inspect(db.engine).has_table("system_state"):
            verify_key_fingerprints(app.config["SECRET_KEY"], app.config["VAPID_PRIVATE_KEY"])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL so the worker and web threads do not block each other; real foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgres_settings(dbapi_connection: Any, _record: Any) -> None:
    """No JIT: it compiles a plan for every statement estimated as costly, which for the
    read models' aggregates (tens of ms) added 15 ms of compiling to each run."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()  # a SET inside a transaction that is rolled back is undone


def register_extensions(app: Flask) -> None:
    """Bind the extensions to the app."""
    from .auth import init_auth
    from .extensions import api, csrf, db, limiter, login_manager
    from .openapi import ApiDocumentPlugin

    db.init_app(app)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _postgres_settings)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs={"extra_plugins": [ApiDocumentPlugin()]})
    init_auth(app)


def register_blueprints(app: Flask) -> None:
    """The JSON API, health probes and the front end."""
    from .api import register_blueprints as register_api
    from .health import site as health_site
    from .web import register_web

    register_api(app)
    app.register_blueprint(health_site)
    register_web(app)


def register_errorhandlers(app: Flask) -> None:
    """One JSON error shape for everything (installed after flask-smorest's own)."""
    from .errors import register_errorhandlers as install

    install(app)


def register_request_rules(app: Flask) -> None:
    """API writes must be JSON (or multipart for uploads)."""
    from .errors import ApiError

    @app.before_request
    def _read_json_body() -> None:
        """Bounded nesting, real Unicode and no NUL, the same way on SQLite and PostgreSQL."""
        if not request.path.startswith("/api/"):
            return
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            raise ApiError(422, "Text may not contain NUL characters.")
        if request.mimetype in JSON_TYPES and request.get_data(cache=True):
            request.get_json()  # through the bounded reader; kept for the view

    @app.before_request
    def _require_json_body() -> None:
        if not request.path.startswith("/api/") or request.method not in {"POST", "PUT", "PATCH"}:
            return
        if not request.content_length and not request.headers.get("Transfer-Encoding"):
            return  # an empty body is fine (e.g. POST /api/auth/logout)
        if request.mimetype in JSON_TYPES or request.mimetype in FORM_TYPES:
            return
        raise ApiError(415, "Send JSON with Content-Type: application/json.")


def register_response_rules(app: Flask) -> None:
    """API answers are private to one account: no shared or browser HTTP cache keeps them."""

    @app.after_request
    def _no_store_api(response: Response) -> Response:
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

