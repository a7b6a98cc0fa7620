"""The front end: the app shell for every screen path, static files, the service worker."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound

PACKAGE_DIR = Path(__file__).resolve().parent
SHELL_PATHS = (
    "/",
    "/people",
    "/people/new",
    "/people/<int:contact_id>",
    "/people/<int:contact_id>/edit",
    "/log",
    "/habits",
    "/settings",
    "/login",
    "/welcome",
    "/reset",
)
SHELL_SUFFIXES = (".html", ".js", ".css", ".webmanifest", ".png")
VERSION_LINE = re.compile(rb"^const VERSION = '[^']*';", re.MULTILINE)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

site = Blueprint("web", __name__)


@cache
def asset_root() -> Path:
    """Where `web/` and `service-worker.js` live: inside the installed package, else the checkout."""
    packaged = PACKAGE_DIR / "frontend"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent


def web_dir() -> Path:
    """The front end's folder (index.html, modules, styles, icons, manifest)."""
    return asset_root() / "web"


def shell(**_: object) -> Response:
    """The app shell; the front end routes by path."""
    response = send_from_directory(web_dir(), "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


for _path in SHELL_PATHS:
    site.add_url_rule(_path, f"shell_{_path.strip('/').replace('/', '_') or 'root'}", shell)


def shell_version() -> str:
    """A hash of every front-end file, so any change installs a fresh shell cache on phones."""
    digest = hashlib.sha256()
    root = web_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in SHELL_SUFFIXES:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@site.route("/service-worker.js")
def service_worker() -> Response:
    """The service worker with the shell version filled in, always revalidated."""
    body = (asset_root() / "service-worker.js").read_bytes()
    body = VERSION_LINE.sub(f"const VERSION = '{shell_version()}';".encode(), body, count=1)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    response.make_conditional(request)
    return response


@site.route("/<path:filename>")
def static_file(filename: str) -> Response:
    """Files of the front end (JS modules, CSS, icons, manifest)."""
    if filename.startswith("api/") or not filename.endswith(SHELL_SUFFIXES):
        raise NotFound()
    response = send_from_directory(web_dir(), filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    if filename.endswith(".webmanifest"):
        response.mimetype = "application/manifest+json"
    return response


def security_headers(response: Response) -> Response:
    """Headers every answer carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def register_web(app: Flask) -> None:
    """Serve the front end and add security headers to every response."""
    app.register_blueprint(site)
    app.after_request(security_headers)
