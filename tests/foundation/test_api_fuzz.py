"""Generated requests for every documented operation: never a server error, always the JSON
error shape, and another user's data never changes."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from server.extensions import db
from server.models import Contact
from tests.conftest import login

# Operations whose side effects would end the fuzzing session itself or that stream files.
SKIPPED = {
    ("DELETE", "/api/auth/me"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/logout-all"),
    ("POST", "/api/auth/password"),
}


def test_generated_requests_get_clear_answers(app: Any, make_user: Any, make_contact: Any) -> None:
    owner = make_user("fuzz@example.com")
    bystander = make_user("bystander@example.com")
    make_contact(bystander, name="Bystander's friend", notes="untouched")
    client = app.test_client()
    login(client, owner.email)
    token = client.post("/api/tokens", json={"name": "fuzz"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:500])
            if response.status_code >= 400:
                body = response.json()
                assert body["code"] == response.status_code
                assert isinstance(body["message"], str) and body["message"]

        check()
        checked += 1
    assert checked >= 15
    with app.app_context():
        notes = db.session.scalars(select(Contact.notes).where(Contact.name == "Bystander's friend")).all()
    assert notes == ["untouched"]
