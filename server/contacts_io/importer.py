"""Write an import plan into the database with a fixed number of queries, however many cards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..contacts import apply_contact_fields
from ..extensions import db
from ..models import Contact, User
from ..schemas.contacts import ContactSchema
from .merge import ImportPlan, Target, plan_import
from .records import CardError, ParseResult

_SCHEMA_FIELDS = (
    "name",
    "emails",
    "phones",
    "company",
    "title",
    "notes",
    "url",
    "tags",
    "birthday",
    "anniversary",
    "how_met",
)


def contact_fields(contact: Contact) -> dict[str, Any]:
    """The importable fields of a stored contact."""
    return {
        "name": contact.name,
        "emails": contact.emails,
        "phones": list(contact.phones or []),
        "company": contact.company or "",
        "title": contact.title or "",
        "notes": contact.notes or "",
        "url": contact.url or "",
        "tags": contact.tags,
        "birthday": contact.birthday,
        "anniversary": contact.anniversary,
        "how_met": contact.how_met or "",
    }


def load_user_contacts(user: User) -> list[Contact]:
    """Every contact of the user with e-mails and tags (three queries in all)."""
    return list(db.session.scalars(select(Contact).where(Contact.user_id == user.id)))


def _validation_problem(schema: ContactSchema, fields: dict[str, Any]) -> str | None:
    """The first reason the contact rules refuse these fields, or None."""
    errors = schema.validate({k: fields[k] for k in _SCHEMA_FIELDS if k in fields})
    if not errors:
        return None
    key, messages = next(iter(errors.items()))
    if isinstance(messages, dict):
        messages = next(iter(messages.values()))
    text = messages[0] if isinstance(messages, list) and messages else str(messages)
    return f"{key}: {text}"


def _checked(plan: ImportPlan, targets: list[Target]) -> list[Target]:
    """Drop targets the contact rules refuse, reporting them as card errors."""
    kept = []
    schema = ContactSchema(only=_SCHEMA_FIELDS)
    for target in targets:
        problem = _validation_problem(schema, target.fields)
        if problem is None:
            kept.append(target)
            continue
        card = target.created_by_card or 0
        plan.errors.append(CardError(card, str(target.fields.get("name", ""))[:80], problem))
        if target.id is None:
            plan.created -= 1
        else:
            plan.updated -= 1
    return kept


def import_records(user: User, parsed: ParseResult, max_contacts: int, dry_run: bool) -> dict[str, Any]:
    """Match, merge and (unless dry_run) write the parsed cards; returns the report."""
    contacts = load_user_contacts(user)
    by_id = {contact.id: contact for contact in contacts}
    existing = [(contact.id, contact_fields(contact)) for contact in contacts]
    room = max(0, max_contacts - len(contacts))
    plan = plan_import(existing, parsed.records, parsed.errors, room)
    plan.creates = _checked(plan, plan.creates)
    plan.updates = _checked(plan, plan.updates)
    if not dry_run:
        new_contacts = []
        for target in plan.creates:
            contact = Contact(user_id=user.id, name=target.fields["name"])
            apply_contact_fields(contact, user.id, target.fields)
            new_contacts.append(contact)
        db.session.add_all(new_contacts)
        for target in plan.updates:
            assert target.id is not None
            changes = {key: target.fields[key] for key in target.changed}
            apply_contact_fields(by_id[target.id], user.id, changes)
        db.session.flush()
    total = len(parsed.records) + len(parsed.errors)
    return plan.report(total=total, dry_run=dry_run)
