"""Match imported records to the user's contacts and decide what each card changes.

A card whose e-mail (any of them, case-insensitive) or exact name (case and spacing
aside) matches a contact updates that contact: empty fields are filled, new e-mails,
phones and tags are added, and nothing the user typed is ever replaced. Cards in the same
file that describe the same person are merged too. Because only empty fields are filled,
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .records import (
    EMAILS_PER_CONTACT_MAX,
    PHONES_PER_CONTACT_MAX,
    TAGS_PER_CONTACT_MAX,
    CardError,
    ContactRecord,
    name_key,
    phone_key,
    split_partial_date,
)

FILLABLE_TEXT = ("company", "title", "url", "notes", "how_met")


@dataclass
class Target:
    """A contact as the import sees it: an existing one (id set) or one to create."""

    fields: dict[str, Any]
    id: int | None = None
    created_by_card: int | None = None
    changed: set[str] = field(default_factory=set)


@dataclass
class ImportPlan:
    """What an import will write, and the report the user sees."""

    creates: list[Target] = field(default_factory=list)
    updates: list[Target] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped_cards: list[dict[str, Any]] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)

    def report(self, total: int, dry_run: bool) -> dict[str, Any]:
        """The import report: counts per outcome, why cards were skipped, per-card errors."""
        return {
            "total": total,
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "skipped": len(self.skipped_cards) + len(self.errors),
            "skipped_cards": self.skipped_cards,
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.position)],
            "dry_run": dry_run,
        }


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def merge_into(
    target: dict[str, Any],
    incoming: dict[str, Any],
    owned_elsewhere: Callable[[str], bool] = lambda _email: False,
) -> set[str]:
    """Fill target's empty fields from incoming and add new e-mails/phones/tags; changed names.

    E-mails for which `owned_elsewhere` is true belong to other contacts and are not copied.
    """
    changed: set[str] = set()
    for key in FILLABLE_TEXT:
        if _empty(target.get(key)) and not _empty(incoming.get(key)):
            target[key] = incoming[key]
            changed.add(key)
    for key in ("birthday", "anniversary"):
        mine, theirs = target.get(key), incoming.get(key)
        if not theirs:
            continue
        if not mine:
            target[key] = theirs
            changed.add(key)
        elif (
            mine.startswith("--")
            and not theirs.startswith("--")
            and split_partial_date(mine)[1:] == split_partial_date(theirs)[1:]
        ):
            # The same day with a year is more, not different: take the year.
            target[key] = theirs
            changed.add(key)
    emails = list(target.get("emails") or [])
    for email in incoming.get("emails") or []:
        if email not in emails and not owned_elsewhere(email) and len(emails) < EMAILS_PER_CONTACT_MAX:
            emails.append(email)
            changed.add("emails")
    target["emails"] = emails
    phones = list(target.get("phones") or [])
    known = {phone_key(_phone_text(p)) for p in phones}
    for phone in incoming.get("phones") or []:
        if phone_key(phone) not in known and len(phones) < PHONES_PER_CONTACT_MAX:
            phones.append(phone)
            known.add(phone_key(phone))
            changed.add("phones")
    target["phones"] = phones
    tags = list(target.get("tags") or [])
    folded = {t.casefold() for t in tags}
    for tag in incoming.get("tags") or []:
        if tag.casefold() not in folded and len(tags) < TAGS_PER_CONTACT_MAX:
            tags.append(tag)
            folded.add(tag.casefold())
            changed.add("tags")
    target["tags"] = tags
    return changed


def _phone_text(phone: Any) -> str:
    if isinstance(phone, dict):
        return str(phone.get("number") or phone.get("value") or "")
    return str(phone)


def owned_elsewhere_test(index: dict[str, Any], owner: Any) -> Callable[[str], bool]:
    """A test for e-mails that the index gives to someone other than `owner`."""

    def owned(email: str) -> bool:
        return index.get(email, owner) is not owner

    return owned


def plan_import(
    existing: list[tuple[int, dict[str, Any]]],
    records: list[ContactRecord],
    errors: list[CardError],
    room: int,
) -> ImportPlan:
    """Match each record to an existing or earlier card's contact; `room` caps new contacts."""
    plan = ImportPlan(errors=list(errors))
    by_email: dict[str, Target] = {}
    by_name: dict[str, Target] = {}
    for contact_id, fields in existing:
        known = Target(fields=fields, id=contact_id)
        for email in fields.get("emails") or []:
            by_email.setdefault(email, known)
        by_name.setdefault(name_key(fields.get("name") or ""), known)
    updated_targets: dict[int, Target] = {}
    for record in records:
        incoming = record.as_dict()
        target: Target | None = next((by_email[e] for e in record.emails if e in by_email), None)
        how = "e-mail"
        if target is None:
            target = by_name.get(name_key(record.name))
            how = "name"
        if target is None:
            if plan.created >= room:
                plan.errors.append(CardError(record.position, record.name, "The contact limit is reached."))
                continue
            owned = {e for e in record.emails if e in by_email}
            incoming["emails"] = [e for e in record.emails if e not in owned]
            target = Target(fields=incoming, created_by_card=record.position)
            plan.creates.append(target)
            plan.created += 1
        else:
            changed = merge_into(target.fields, incoming, owned_elsewhere_test(by_email, target))
            if not changed:
                reason = (
                    f"Already up to date (same {how})."
                    if target.id is not None
                    else f"Same person as card {target.created_by_card}, nothing new."
                )
                plan.skipped_cards.append({"card": record.position, "name": record.name, "reason": reason})
            elif target.id is not None:
                target.changed |= changed
                updated_targets[target.id] = target
                plan.updated += 1
            else:
                plan.merged += 1
        for email in target.fields.get("emails") or []:
            by_email.setdefault(email, target)
        by_name.setdefault(name_key(target.fields.get("name") or ""), target)
    plan.updates = list(updated_targets.values())
    return plan
