"""/api/openapi.json as a product: it validates, names and tags every operation, declares how to
sign in, and a client generated from it works against the real server with a token."""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.browser.conftest import LiveServer


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/openapi.json").get_json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_the_document_validates(document):
    validate(document)


def test_every_operation_has_a_unique_id_and_a_tag(document):
    ids = [op.get("operationId") for _, _, op in operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert all(op.get("tags") for _, _, op in operations(document))


def test_bearer_and_cookie_sign_in_are_declared(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert document["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    login = document["paths"]["/api/auth/login"]["post"]
    assert login["security"] == []


def test_uploads_describe_their_multipart_bodies(document):
    assert not [p for _, _, op in operations(document) for p in op.get("parameters", []) if p["in"] == "formData"]
    for path in ("/api/calendars/upload", "/api/contacts/import", "/api/import.json"):
        schema = document["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert schema["properties"]["file"] == {**schema["properties"]["file"], "type": "string", "format": "binary"}
        assert "file" in schema["required"]
    upload = document["paths"]["/api/calendars/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "name" in upload["schema"]["properties"]


def test_a_generated_client_lists_contacts_and_logs_an_interaction(app, auth_client, user, make_contact, tmp_path: Path):
    tom = make_contact(user, name="Tom Baker", emails=["tom@example.com"])
    token = auth_client.post("/api/tokens", json={"name": "generated client"}).get_json()["token"]
    spec = tmp_path / "openapi.json"
    spec.write_bytes(auth_client.get("/api/openapi.json").data)
    package = tmp_path / "generated" / "rapport_client"
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec),
         "--output-path", str(package), "--meta", "none"],
        capture_output=True, text=True, timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    server = LiveServer(app).start()
    sys.path.insert(0, str(package.parent))
    try:
        client_module = importlib.import_module("rapport_client")
        list_contacts = importlib.import_module("rapport_client.api.contacts.contacts_list_contacts")
        put_log = importlib.import_module("rapport_client.api.interactions.interactions_put_log")
        models = importlib.import_module("rapport_client.models")
        client = client_module.AuthenticatedClient(base_url=server.url, token=token)

        page = list_contacts.sync(client=client)
        assert [c.name for c in page.items] == ["Tom Baker"]
        assert page.items[0].id == tom.id

        log_id = str(uuid.uuid4())
        body = models.InteractionIn(
            occurred_at=datetime(2026, 11, 25, 12, 30, tzinfo=UTC),
            kind=models.InteractionInKind("call"),
            contact_ids=[tom.id],
            gave=[models.ItemIn(category=models.ItemInCategory("advice"), note="pricing")],
            received=[],
        )
        response = put_log.sync_detailed(log_id, client=client, body=body)
        assert response.status_code == 201, response.content
        assert response.parsed.contact_ids == [tom.id]

        anonymous = client_module.Client(base_url=server.url)
        assert list_contacts.sync_detailed(client=anonymous).status_code == 401
    finally:
        sys.path.remove(str(package.parent))
        for name in [m for m in sys.modules if m == "rapport_client" or m.startswith("rapport_client.")]:
            del sys.modules[name]
        server.stop()
    logged = auth_client.get(f"/api/interactions/{log_id}").get_json()
    assert logged["gave"][0]["note"] == "pricing"


def test_a_multipart_part_without_a_name_is_a_clear_422(auth_client):
    token = auth_client.post("/api/tokens", json={"name": "fuzz"}).get_json()["token"]
    body = (
        b"--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nnull\r\n"
        b"--b\r\nContent-Disposition: form-data; name=\"\n\"\r\n\r\nnull\r\n"
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.ics\"\r\n\r\n\x00\r\n--b--\r\n"
    )
    r = auth_client.post("/api/calendars/upload", data=body, content_type="multipart/form-data; boundary=b",
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.data[:300]
    assert r.get_json()["code"] == 422
