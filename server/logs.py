"""Logging set up by the app factory: one line per request, with secrets kept out of it."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SECRET_PATHS = (
    # The private outgoing feed: whoever reads the path can subscribe to the user's log.
    (re.compile(r"^/calendar/[^/]+\.ics$"), "/calendar/<secret>.ics"),
)
DEFAULT_PORTS = {"http": 80, "https": 443}

access_log = logging.getLogger("server.access")
log = logging.getLogger(__name__)


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO unless the host process (CLI, gunicorn, tests) already set logging up."""
    logging.basicConfig(level=logging.INFO, format=FORMAT)  # a no-op when handlers exist
    if logging.getLogger("server").level == logging.NOTSET:
        logging.getLogger("server").setLevel(logging.INFO)
    if logging.getLogger("alembic.runtime.plugins").level == logging.NOTSET:
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin
    app.before_request(_start_clock)
    app.before_request(_check_origin)
    app.after_request(_log_request)


def loggable_path(path: str) -> str:
    """The request path without query string and with secret path parts replaced."""
    for pattern, replacement in SECRET_PATHS:
        if pattern.match(path):
            return replacement
    return path


def origin_of(url: str) -> str:
    """`scheme://host[:port]` in lower case, without the scheme's default port."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _check_origin() -> None:
    """Warn once per process when browsers reach us at an origin other than RAPPORT_BASE_URL."""
    if current_app.extensions.get("rapport.origin_warned"):
        return
    configured = origin_of(current_app.config["BASE_URL"])
    origin = request.headers.get("Origin")
    seen = origin_of(origin if origin and origin != "null" else request.host_url)
    if seen == configured:
        return
    current_app.extensions["rapport.origin_warned"] = True
    log.warning(
        "requests arrive at %s but RAPPORT_BASE_URL is %s: links in notifications and the calendar "
        "feed point at the configured address; set RAPPORT_BASE_URL to the address people open",
        seen, configured,
    )


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    took = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    access_log.info(
        "%s %s %s %s %.1fms",
        request.remote_addr, request.method, loggable_path(request.path), response.status_code, took,
    )
    return response
