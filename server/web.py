"""The front end: the app shell for every screen path, static files, the service worker."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / "web"
SHELL_PATHS = ("/", "/people", "/people/<int:contact_id>", "/log", "/habits", "/settings",
               "/login", "/welcome")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

site = Blueprint("web", __name__)


def shell(**_: object) -> Response:
    """The app shell; the front end routes by path."""
    response = send_from_directory(WEB_DIR, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


for _path in SHELL_PATHS:
    site.add_url_rule(_path, f"shell_{_path.strip('/').replace('/', '_') or 'root'}", shell)


@site.route("/service-worker.js")
def service_worker() -> Response:
    """The service worker, always revalidated so updates reach phones."""
    response = send_from_directory(ROOT, "service-worker.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@site.route("/<path:filename>")
def static_file(filename: str) -> Response:
    """Files of the front end (JS modules, CSS, icons, manifest)."""
    if filename.startswith("api/"):
        raise NotFound()
    response = send_from_directory(WEB_DIR, filename, max_age=0)
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
