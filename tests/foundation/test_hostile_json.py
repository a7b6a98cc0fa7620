"""Hostile JSON: very deep nesting and lone surrogates answer 400/422 and write nothing,
in request bodies and inside an uploaded backup, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.json_body import MAX_DEPTH, nesting_depth
from server.models import Contact
from server.models.interactions import Interaction

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_IN_FIELD = '{"name": "Deep", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"
SURROGATE_NAME = '{"name": "Ann \\ud800 Lee"}'
LOG_UUID = str(uuid.uuid4())
LOG_BODY = (
    '{"occurred_at": "2026-01-05T10:00:00+00:00", "kind": "call", "contact_ids": [], '
    '"notes": "%s"}'
)

WRITES = [
    ("POST", "/api/contacts"),
    ("PUT", f"/api/interactions/{LOG_UUID}"),
    ("POST", "/api/import.json"),
    ("PATCH", "/api/settings"),
]


def rows(app) -> tuple[int, int]:
    with app.app_context():
        contacts = db.session.scalar(select(func.count()).select_from(Contact))
        logs = db.session.scalar(select(func.count()).select_from(Interaction))
        return contacts or 0, logs or 0


def send(client, method: str, path: str, body: str):
    return client.open(path, method=method, data=body, content_type="application/json")


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_json_nested_100000_deep_is_400_and_writes_nothing(app, auth_client, method, path):
    for body in (DEEP, DEEP_IN_FIELD):
        r = send(auth_client, method, path, body)
        assert r.status_code == 400, r.get_data(as_text=True)[:300]
        assert r.get_json()["code"] == 400
        assert "nests deeper" in r.get_json()["message"]
    assert rows(app) == (0, 0)


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_lone_surrogate_is_422_and_writes_nothing(app, auth_client, method, path):
    for body in (SURROGATE_NAME, LOG_BODY % "\\udfff alone", '{"x": ["\\ud800"]}'):
        r = send(auth_client, method, path, body)
        assert r.status_code == 422, r.get_data(as_text=True)[:300]
        assert "surrogate" in r.get_json()["message"]
    assert rows(app) == (0, 0)


def test_a_proper_surrogate_pair_is_an_ordinary_character(app, auth_client):
    r = send(auth_client, "POST", "/api/contacts", '{"name": "Ann \\ud83d\\ude00"}')
    assert r.status_code == 201
    assert r.get_json()["name"] == "Ann \N{GRINNING FACE}"


def test_escaped_backslash_u0000_text_is_not_a_nul(app, auth_client):
    r = send(auth_client, "POST", "/api/contacts", '{"name": "C:\\\\u0000 folder"}')
    assert r.status_code == 201
    assert r.get_json()["name"] == "C:\\u0000 folder"


def test_nul_inside_nested_json_is_422(app, auth_client):
    r = send(auth_client, "PUT", f"/api/interactions/{LOG_UUID}", LOG_BODY % "a\\u0000b")
    assert r.status_code == 422
    assert "NUL" in r.get_json()["message"]
    assert rows(app) == (0, 0)


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (DEEP.encode(), 422),
        ((b'{"format": "rapport-backup", "contacts": [{"name": "\\ud800"}]}'), 422),
        (b"\xff\xfe not text", 422),
        (b"{not json", 422),
    ],
)
def test_hostile_backup_upload_is_refused_and_writes_nothing(app, auth_client, content, status):
    r = auth_client.post(
        "/api/import.json",
        data={"file": (io.BytesIO(content), "backup.json")},
        content_type="multipart/form-data",
    )
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    assert r.get_json()["code"] == status
    assert rows(app) == (0, 0)


def test_invalid_json_body_is_400(auth_client):
    r = send(auth_client, "POST", "/api/contacts", '{"name": ')
    assert r.status_code == 400
    assert r.get_json()["code"] == 400


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth('{"a": "[[[[[[", "b": [[1]]}') == 3
    assert nesting_depth('"\\"[[["') == 0
    assert nesting_depth("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) == MAX_DEPTH + 1
