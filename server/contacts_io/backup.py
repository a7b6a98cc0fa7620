"""The versioned JSON backup: everything a user owns, and its restore.

The document never carries database ids. Contacts get a `ref` (1, 2, … in the order they
were created) and everything that points at a contact uses that ref, so restoring into a
fresh account and exporting again gives the same document (except `exported_at`).
Secrets are left out: calendar feed URLs, the outgoing feed token, passwords, API tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select

from ..contacts import apply_contact_fields
from ..errors import ApiError
from ..extensions import db
from ..models import Contact, User
from ..settings import get_settings, update_settings
from .backup_parts import backup_parts
from .importer import contact_fields
from .merge import merge_into, owned_elsewhere_test
from .records import name_key

FORMAT = "rapport-backup"
VERSION = 1
CONTACT_EXTRA = ("kind", "cadence_days", "face_time_days", "how_met")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def contact_entry(ref: int, contact: Contact) -> dict[str, Any]:
    """One contact as it appears in the backup."""
    entry: dict[str, Any] = {"ref": ref, **contact_fields(contact)}
    entry.update(
        kind=contact.kind,
        cadence_days=contact.cadence_days,
        face_time_days=contact.face_time_days,
        how_met=contact.how_met or "",
        last_interaction_at=_iso(contact.last_interaction_at),
        last_in_person_at=_iso(contact.last_in_person_at),
        created_at=_iso(contact.created_at),
    )
    return entry


def export_backup(user: User, now: datetime) -> dict[str, Any]:
    """The whole account as one JSON-ready document."""
    contacts = list(
        db.session.scalars(select(Contact).where(Contact.user_id == user.id).order_by(Contact.id))
    )
    refs = {contact.id: ref for ref, contact in enumerate(contacts, start=1)}
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "account": {
            "name": user.name,
            "timezone": user.timezone,
            "settings": {k: v for k, v in get_settings(user).items() if k != "timezone"},
        },
        "contacts": [contact_entry(refs[c.id], c) for c in contacts],
    }
    for part in backup_parts():
        document[part.key] = part.export(user, refs)
    return document


def account_is_empty(user: User) -> bool:
    """True when the user has no contacts and none of the other backed-up records."""
    count = db.session.scalar(select(func.count()).where(Contact.user_id == user.id)) or 0
    return count == 0 and all(part.is_empty(user) for part in backup_parts())


def restore_backup(user: User, document: dict[str, Any], merge: bool, max_contacts: int) -> dict[str, int]:
    """Validate the whole document, then write it; raises ApiError (nothing written) when invalid."""
    from ..schemas.data_io import BackupSchema

    if not isinstance(document, dict):
        raise ApiError(422, "This is not a Rapport backup (a JSON object is expected).")
    try:
        data = BackupSchema().load(document)
        for part in backup_parts():
            data[part.key] = part.load(document.get(part.key) or [])
    except ValidationError as exc:
        raise ApiError(422, "This backup file is not valid.", errors=exc.messages) from None
    if not merge and not account_is_empty(user):
        raise ApiError(
            409,
            "This account already has data. Restore into an empty account, or merge with ?merge=1.",
        )
    existing = list(db.session.scalars(select(Contact).where(Contact.user_id == user.id)))
    if len(existing) + len(data["contacts"]) > max_contacts and not merge:
        raise ApiError(422, f"This backup has more than the limit of {max_contacts} contacts.")
    ref_to_contact = _restore_contacts(user, data["contacts"], existing, merge, max_contacts)
    db.session.flush()
    ref_to_id = {ref: contact.id for ref, contact in ref_to_contact.items()}
    counts = {"contacts": len(ref_to_contact)}
    if not merge:
        account = data.get("account") or {}
        if account.get("name") is not None:
            user.name = account["name"]
        if account.get("timezone"):
            user.timezone = account["timezone"]
        if account.get("settings"):
            update_settings(user, account["settings"])
    for part in backup_parts():
        counts[part.key] = part.restore(user, data.get(part.key) or [], ref_to_id, merge)
    return counts


def _restore_contacts(
    user: User,
    entries: list[dict[str, Any]],
    existing: list[Contact],
    merge: bool,
    max_contacts: int,
) -> dict[int, Contact]:
    """Create (or, when merging, match and fill) each contact; ref → contact."""
    by_email: dict[str, Contact] = {}
    by_name: dict[str, Contact] = {}
    for contact in existing:
        for email in contact.emails:
            by_email.setdefault(email, contact)
        by_name.setdefault(name_key(contact.name), contact)
    result: dict[int, Contact] = {}
    room = max_contacts - len(existing)
    for entry in sorted(entries, key=lambda e: e["ref"]):
        fields = {k: v for k, v in entry.items() if k not in ("ref",)}
        times = {
            key: fields.pop(key, None) for key in ("last_interaction_at", "last_in_person_at", "created_at")
        }
        match = None
        if merge:
            match = next((by_email[e] for e in fields["emails"] if e in by_email), None)
            match = match or by_name.get(name_key(fields["name"]))
        if match is not None:
            current = contact_fields(match)
            changed = merge_into(current, fields, owned_elsewhere_test(by_email, match))
            for key in CONTACT_EXTRA:
                if not getattr(match, key) and fields.get(key) and key != "kind":
                    setattr(match, key, fields[key])
            apply_contact_fields(match, user.id, {k: current[k] for k in changed})
            result[entry["ref"]] = match
            continue
        if room <= 0:
            raise ApiError(409, f"Restoring would pass the limit of {max_contacts} contacts.")
        room -= 1
        contact = Contact(user_id=user.id, name=fields["name"])
        apply_contact_fields(contact, user.id, fields)
        contact.last_interaction_at = times["last_interaction_at"]
        contact.last_in_person_at = times["last_in_person_at"]
        if times["created_at"] is not None:
            contact.created_at = times["created_at"]
        db.session.add(contact)
        result[entry["ref"]] = contact
        for email in contact.emails:
            by_email.setdefault(email, contact)
        by_name.setdefault(name_key(contact.name), contact)
    return result
