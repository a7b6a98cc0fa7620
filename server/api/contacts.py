"""Contacts: list and search, create, read, update, delete."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..contacts import (
    apply_contact_fields,
    attach_stats,
    contact_list_query,
    create_contact,
    get_contact,
    paginate,
)
from ..extensions import db
from ..logbook.stats import filter_overdue
from ..models import Contact, utcnow
from ..schemas import page, page_envelope
from ..schemas.contacts import ContactListArgsSchema, ContactSchema, ContactUpdateSchema

blp = Blueprint("contacts", __name__, url_prefix="/api/contacts", description="Contacts")
ContactPageSchema = page_envelope(ContactSchema, "ContactPage")


@blp.route("", methods=["GET"])
@blp.arguments(ContactListArgsSchema, location="query")
@blp.response(200, ContactPageSchema)
@login_required
def list_contacts(args: dict[str, Any]) -> dict[str, Any]:
    """List contacts: search by name, e-mail, company or tag; filter by kind, tag, overdue."""
    now = utcnow()
    stmt = contact_list_query(current_user, args)
    if args["overdue"]:
        stmt = filter_overdue(stmt, current_user, now)
    items, total = paginate(stmt, args["page"], args["per_page"])
    attach_stats(current_user, items, now)
    return page(items, total, args)


@blp.route("", methods=["POST"])
@blp.arguments(ContactSchema)
@blp.response(201, ContactSchema)
@login_required
def add_contact(data: dict[str, Any]) -> Contact:
    """Create a contact."""
    contact = create_contact(current_user, data, current_app.config["CONTACTS_PER_USER_MAX"])
    db.session.commit()
    return attach_stats(current_user, [contact], utcnow())[0]


@blp.route("/<int:contact_id>", methods=["GET"])
@blp.response(200, ContactSchema)
@login_required
def read_contact(contact_id: int) -> Contact:
    """One contact with its stats."""
    return attach_stats(current_user, [get_contact(current_user, contact_id)], utcnow())[0]


@blp.route("/<int:contact_id>", methods=["PATCH"])
@blp.arguments(ContactUpdateSchema(partial=True))
@blp.response(200, ContactSchema)
@login_required
def update_contact(data: dict[str, Any], contact_id: int) -> Contact:
    """Change some fields of a contact."""
    contact = get_contact(current_user, contact_id)
    apply_contact_fields(contact, current_user.id, data)
    db.session.commit()
    return attach_stats(current_user, [contact], utcnow())[0]


@blp.route("/<int:contact_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_contact(contact_id: int) -> None:
    """Delete a contact (their log entries stay, without them)."""
    db.session.delete(get_contact(current_user, contact_id))
    db.session.commit()
