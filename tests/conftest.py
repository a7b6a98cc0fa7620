"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when RAPPORT_TEST_DATABASE_URL is
set), an app per test, API clients that carry the CSRF header, and small factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, inspect, text

from server import create_app
from server.auth import hash_password
from server.config import TestConfig
from server.extensions import db
from server.models import Base, Contact, User

PASSWORD = "correct horse battery"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "samples"


def _reset_postgres(url: str) -> None:
    """Start from an empty schema so migrations run from scratch."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, migrated once per session through the real migrations."""
    url = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'rapport-test.sqlite3'}"
    app = create_app(_test_config(url, tmp_path_factory.mktemp("data")))
    from server.cli import migrate_database

    migrate_database(app)
    with app.app_context():
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One real Argon2id hash of PASSWORD, reused by the user factory."""
    return hash_password(PASSWORD)


def _test_config(url: str, data_dir: Path, **env: str) -> TestConfig:
    return TestConfig(
        {
            **os.environ,
            "RAPPORT_DATABASE_URL": url,
            "RAPPORT_DATA_DIR": str(data_dir),
            "RAPPORT_SECRET_KEY": "test-secret-key-not-for-production",
            **env,
        }
    )


ROTATES_CSRF = frozenset(
    f"/api/auth/{name}" for name in ("login", "register", "logout", "logout-all")
)


class ApiClient(FlaskClient):
    """A test client that sends JSON and adds the CSRF header to unsafe requests."""

    csrf_token: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        method = (kwargs.get("method") or "GET").upper()
        send_csrf = kwargs.pop("csrf", True)
        if method in {"POST", "PUT", "PATCH", "DELETE"} and send_csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            if "Authorization" not in headers:
                if self.csrf_token is None:
                    self.csrf_token = super().open("/api/auth/csrf").get_json()["csrf_token"]
                headers.setdefault("X-CSRFToken", self.csrf_token)
            kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if method == "POST" and str(args[0] if args else kwargs.get("path", "")) in ROTATES_CSRF:
            self.csrf_token = None  # signing in or out gives the browser a new CSRF token
        return response


def make_app(database_url: str, data_dir: Path, **env: str) -> Flask:
    """Build an app on the test database with extra RAPPORT_* settings."""
    app = create_app(_test_config(database_url, data_dir, **env))
    app.test_client_class = ApiClient
    return app


def empty_database(app: Flask) -> None:
    """Delete every row, children first."""
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in names:
                db.session.execute(delete(table))
        db.session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on the migrated test database, emptied after the test."""
    app = make_app(database_url, tmp_path / "data")
    yield app
    empty_database(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build apps with extra RAPPORT_* settings; the database is emptied afterwards."""
    built: list[Flask] = []

    def factory(**env: str) -> Flask:
        app = make_app(database_url, tmp_path / f"data{len(built)}", **env)
        built.append(app)
        return app

    yield factory
    for app in built:
        empty_database(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous API client."""
    return app.test_client()


@pytest.fixture
def make_user(app: Flask, password_hash: str) -> Any:
    """Factory: a committed user with PASSWORD."""
    counter = {"n": 0}

    def factory(email: str | None = None, **fields: Any) -> User:
        counter["n"] += 1
        with app.app_context():
            user = User(
                email=(email or f"user{counter['n']}@example.com").lower(),
                password_hash=password_hash,
                name=fields.pop("name", f"User {counter['n']}"),
                timezone=fields.pop("timezone", "UTC"),
                settings=fields.pop("settings", {}),
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Sign a client in; returns the response."""
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response


@pytest.fixture
def user(make_user: Any) -> User:
    """A user named Maya."""
    return make_user("maya@example.com", name="Maya", timezone="Europe/London")


@pytest.fixture
def auth_client(app: Flask, user: User) -> FlaskClient:
    """A client signed in as `user`."""
    client = app.test_client()
    login(client, user.email)
    return client


@pytest.fixture
def make_contact(app: Flask) -> Any:
    """Factory: a contact of a user, created through the API rules."""
    from server.contacts import create_contact

    def factory(owner: User, **data: Any) -> Contact:
        data.setdefault("name", "Tom Baker")
        with app.app_context():
            fresh = db.session.get(User, owner.id)
            contact = create_contact(fresh, data, max_contacts=100_000)
            db.session.commit()
            db.session.refresh(contact)
            _ = contact.emails, contact.tags
            db.session.expunge(contact)
            return contact

    return factory
