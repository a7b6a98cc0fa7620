"""Settings read from RAPPORT_* environment variables (the contract in the README)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from .keys import load_or_create_secret_key, load_or_create_vapid_key, vapid_key_to_pem

REGISTRATION_MODES = ("open", "invite", "closed")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production defaults; every value can be overridden by a RAPPORT_* variable."""

    TESTING = False
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # uploads (vCard, ICS, backups) are capped lower per route
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # A pooled connection is checked before use, so after a database restart the first
    # request gets a fresh connection instead of an error.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REMEMBER_COOKIE_DURATION = timedelta(days=365)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # offline writes replay hours later
    WTF_CSRF_CHECK_DEFAULT = False  # checked in a before_request hook so bearer tokens skip it
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]
    WTF_CSRF_SSL_STRICT = False  # Origin/Referer are checked by our own hook instead
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 5 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 5 minutes"
    IMPORT_LIMIT = "20 per 10 minutes"  # uploads parsed in the request: contacts, backups
    FEED_LIMIT = "120 per hour"  # calendar apps poll the outgoing feed every few minutes
    # Per account: each checks a password or fans out work, so a stolen session cannot hammer it.
    PASSWORD_CHANGE_LIMIT = "10 per hour"  # noqa: S105 (a rate, not a password)
    ACCOUNT_DELETE_LIMIT = "10 per hour"
    INVITE_LIMIT = "30 per day"
    API_TITLE = "Rapport"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    CONTACTS_PER_USER_MAX = 50_000
    PUSH_SUBSCRIPTIONS_PER_USER_MAX = 10
    PUSH_EXTRA_HOSTS: tuple[str, ...] = ()
    WORKER_TICK_SECONDS = 15.0
    CALENDAR_UPLOAD_LIMIT_PER_USER = "10 per hour"
    CALENDAR_UPLOAD_LIMIT_PER_ADDRESS = "30 per hour"
    CALENDAR_SYNC_NOW_LIMIT = "30 per hour"  # per user; each calendar also rests a minute
    CALENDAR_FETCH_WORKERS = 16  # feeds fetched at once by one worker
    CALENDAR_FETCHES_PER_USER = 4  # one user's share of those
    CALENDAR_PARSERS = 2  # long-lived parser children
    CALENDAR_POLL_SECONDS = 1.0  # how soon a newly added calendar is picked up
    VERIFY_KEY_FINGERPRINTS = True  # a node whose keys differ from the database's refuses to start

    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ if env is None else env)
        self.DATA_DIR = Path(env.get("RAPPORT_DATA_DIR") or "instance").resolve()
        self.SQLALCHEMY_DATABASE_URI = env.get("RAPPORT_DATABASE_URL") or (
            f"sqlite:///{self.DATA_DIR / 'rapport.sqlite3'}"
        )
        self.BASE_URL = (env.get("RAPPORT_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
        self.ALLOW_PRIVATE_URLS = _flag(env.get("RAPPORT_ALLOW_PRIVATE_URLS"))
        self.RATELIMIT_STORAGE_URI = env.get("RAPPORT_RATELIMIT_STORAGE_URI") or "memory://"
        self.REGISTRATION = (env.get("RAPPORT_REGISTRATION") or "invite").strip().lower()
        if self.REGISTRATION not in REGISTRATION_MODES:
            raise ValueError(
                f"RAPPORT_REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}"
            )
        self.TRUSTED_PROXIES = int(env.get("RAPPORT_TRUSTED_PROXIES") or 0)
        # Sent, failed and cancelled notifications (and their per-device rows) are kept this long.
        self.RETENTION_DAYS = int(env.get("RAPPORT_RETENTION_DAYS") or 90)
        self.PUSH_EXTRA_HOSTS = tuple(
            h.strip().lower() for h in (env.get("RAPPORT_PUSH_HOSTS") or "").split(",") if h.strip()
        )
        self._secret = env.get("RAPPORT_SECRET_KEY")
        self._vapid = env.get("RAPPORT_VAPID_PRIVATE_KEY")
        self.VAPID_SUBJECT = env.get("RAPPORT_VAPID_SUBJECT") or ""
        # The e-mail channel (off while RAPPORT_SMTP_HOST is unset). TLS: starttls, ssl or off.
        self.SMTP_HOST = env.get("RAPPORT_SMTP_HOST") or ""
        self.SMTP_PORT = int(env.get("RAPPORT_SMTP_PORT") or 587)
        self.SMTP_USER = env.get("RAPPORT_SMTP_USER") or ""
        self.SMTP_PASSWORD = env.get("RAPPORT_SMTP_PASSWORD") or ""
        self.SMTP_FROM = env.get("RAPPORT_SMTP_FROM") or ""
        self.SMTP_TLS = (env.get("RAPPORT_SMTP_TLS") or "starttls").strip().lower()
        secure = self.BASE_URL.startswith("https://")
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_SECURE = secure
        self.SESSION_COOKIE_NAME = "__Host-session" if secure else "rapport_session"
        self.REMEMBER_COOKIE_NAME = "__Host-remember" if secure else "rapport_remember"
        self.PREFERRED_URL_SCHEME = "https" if secure else "http"

    def finalize(self) -> dict[str, Any]:
        """Resolve the generated secrets (creating them on first run) and return a flat dict."""
        self.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds the keys
        database = make_url(self.SQLALCHEMY_DATABASE_URI)
        if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:"):
            # Created owner-only before SQLite opens it; its -wal and -shm files copy the mode.
            path = Path(database.database)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.touch(mode=0o600, exist_ok=True)
        self.SECRET_KEY = self._secret or load_or_create_secret_key(self.DATA_DIR)
        self.VAPID_PRIVATE_KEY = (
            vapid_key_to_pem(self._vapid) if self._vapid else load_or_create_vapid_key(self.DATA_DIR)
        )
        return {k: getattr(self, k) for k in dir(self) if k.isupper()}


class TestConfig(Config):
    """Settings for the test suite: open registration, no throttling, private URLs allowed."""

    TESTING = True
    WORKER_TICK_SECONDS = 0.2
    VERIFY_KEY_FINGERPRINTS = False  # each test's data dir has its own VAPID key

    def __init__(self, env: dict[str, str] | None = None) -> None:
        base = dict(os.environ if env is None else env)
        base.setdefault("RAPPORT_REGISTRATION", "open")
        base.setdefault("RAPPORT_ALLOW_PRIVATE_URLS", "1")
        super().__init__(base)
        # Throttling is off in tests unless a test turns it on to test it.
        self.RATELIMIT_ENABLED = _flag(base.get("RAPPORT_TEST_RATELIMIT"))
