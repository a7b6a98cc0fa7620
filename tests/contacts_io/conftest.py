"""Helpers for the import/export tests."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from server.extensions import db
from server.models import Contact, User


def upload(client: Any, data: bytes, filename: str = "contacts.vcf", query: str = "") -> Any:
    """POST a file to the import endpoint."""
    return client.post(
        f"/api/contacts/import{query}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def vcard(*lines: str, version: str = "3.0") -> bytes:
    """One card from its property lines."""
    return ("\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n").encode()


@pytest.fixture
def contacts_of(app: Flask) -> Any:
    """Factory: a user's contacts as plain dicts, sorted by id."""

    def read(user: User) -> list[dict[str, Any]]:
        with app.app_context():
            rows = db.session.scalars(
                db.select(Contact).where(Contact.user_id == user.id).order_by(Contact.id)
            )
            return [
                {
                    "id": c.id,
                    "name": c.name,
                    "emails": c.emails,
                    "phones": list(c.phones or []),
                    "company": c.company,
                    "title": c.title,
                    "notes": c.notes,
                    "url": c.url,
                    "tags": c.tags,
                    "birthday": c.birthday,
                    "anniversary": c.anniversary,
                    "kind": c.kind,
                    "how_met": c.how_met,
                }
                for c in rows
            ]

    return read
