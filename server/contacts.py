"""Contact rules: create, update, find, list — shared by the API and the importers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from .contacts_io.names import clean_parts, parse_display_name, sort_name
from .errors import ApiError
from .extensions import db
from .models import Contact, ContactEmail, ContactTag, User
from .schemas.contacts import parse_partial_date

SIMPLE_FIELDS = ("name", "company", "title", "phones", "kind", "cadence_days", "face_time_days",
                 "how_met", "notes", "url", "anniversary")


def set_emails(contact: Contact, user_id: int, emails: list[str]) -> None:
    """Replace a contact's addresses, keeping order (preferred first)."""
    existing: dict[str, ContactEmail | None] = {row.email: row for row in contact.email_rows}
    rows = []
    for position, email in enumerate(emails):
        email = email.strip().lower()
        row = existing.pop(email, None) or ContactEmail(user_id=user_id, email=email)
        row.position = position
        rows.append(row)
    contact.email_rows = rows


def set_tags(contact: Contact, user_id: int, tags: list[str]) -> None:
    """Replace a contact's tags."""
    existing: dict[str, ContactTag | None] = {row.tag: row for row in contact.tag_rows}
    contact.tag_rows = [
        existing.pop(tag, None) or ContactTag(user_id=user_id, tag=tag) for tag in tags
    ]


def apply_contact_fields(contact: Contact, user_id: int, data: dict[str, Any]) -> Contact:
    """Copy validated fields onto a contact (only the keys present in `data`)."""
    for key in SIMPLE_FIELDS:
        if key in data:
            setattr(contact, key, data[key])
    if "birthday" in data:
        if data["birthday"]:
            year, month, day = parse_partial_date(data["birthday"])
            contact.birthday_year, contact.birthday_month, contact.birthday_day = year, month, day
        else:
            contact.birthday_year = contact.birthday_month = contact.birthday_day = None
    if "emails" in data:
        set_emails(contact, user_id, data["emails"])
    if "tags" in data:
        set_tags(contact, user_id, data["tags"])
    if "name" in data or "name_parts" in data:
        set_name_parts(contact, data.get("name_parts"))
    if "photo" in data:
        contact.photo, contact.has_photo = data["photo"], data["photo"] is not None
    return contact


def set_name_parts(contact: Contact, parts: Any = None) -> None:
    """Store the N parts given (an import), else those guessed from the name; and the sort key."""
    cleaned = clean_parts(parts) or parse_display_name(contact.name)
    contact.name_parts = cleaned
    contact.sort_name = sort_name(cleaned, contact.name)


def create_contact(user: User, data: dict[str, Any], max_contacts: int) -> Contact:
    """Add a contact for a user (caller commits)."""
    count = db.session.scalar(select(func.count()).where(Contact.user_id == user.id)) or 0
    if count >= max_contacts:
        raise ApiError(409, f"You have reached the limit of {max_contacts} contacts.")
    contact = Contact(user_id=user.id, name=data["name"])
    apply_contact_fields(contact, user.id, data)
    db.session.add(contact)
    return contact


def get_contact(user: User, contact_id: int) -> Contact:
    """One of the user's contacts, or 404 (also for another user's id)."""
    contact = db.session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.user_id == user.id)
    )
    if contact is None:
        raise ApiError(404, "No such contact.")
    return contact


def owned_contact_ids(user: User, ids: list[int]) -> set[int]:
    """Which of `ids` belong to the user."""
    if not ids:
        return set()
    return set(
        db.session.scalars(select(Contact.id).where(Contact.user_id == user.id, Contact.id.in_(ids)))
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contact_list_query(user: User, args: dict[str, Any]) -> Select[Any]:
    """The SELECT behind GET /api/contacts: search, filters and order (no paging)."""
    stmt = select(Contact).where(Contact.user_id == user.id)
    q = (args.get("q") or "").strip()
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        email_match = select(ContactEmail.contact_id).where(
            ContactEmail.user_id == user.id, ContactEmail.email.like(pattern, escape="\\")
        )
        tag_match = select(ContactTag.contact_id).where(
            ContactTag.user_id == user.id, func.lower(ContactTag.tag).like(pattern, escape="\\")
        )
        stmt = stmt.where(
            or_(
                func.lower(Contact.name).like(pattern, escape="\\"),
                func.lower(Contact.company).like(pattern, escape="\\"),
                Contact.id.in_(email_match),
                Contact.id.in_(tag_match),
            )
        )
    if args.get("tag"):
        stmt = stmt.where(
            Contact.id.in_(
                select(ContactTag.contact_id).where(
                    ContactTag.user_id == user.id,
                    func.lower(ContactTag.tag) == args["tag"].lower(),
                )
            )
        )
    if args.get("kind"):
        stmt = stmt.where(Contact.kind == args["kind"])
    sort = args.get("sort", "name")
    if sort == "recent":
        stmt = stmt.order_by(Contact.last_interaction_at.desc().nulls_last(), Contact.id)
    elif sort == "created":
        stmt = stmt.order_by(Contact.created_at.desc(), Contact.id.desc())
    else:
        stmt = stmt.order_by(Contact.sort_name, Contact.id)
    return stmt


def paginate(
    stmt: Select[*tuple[Any, ...]], page: int, per_page: int, rows: bool = False
) -> tuple[list[Any], int]:
    """Run a SELECT for one page; returns (items, total): the first column's values, or whole
    rows with `rows`.

    A first page with room to spare holds every row, so its length is the total (no count).
    """
    one_page = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.execute(one_page).all() if rows else db.session.scalars(one_page))
    if page == 1 and len(items) < per_page:
        return items, len(items)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return items, total


def attach_stats(user: User, contacts: list[Contact], now: datetime) -> list[Contact]:
    """Compute stats for a batch of contacts in one go and hang them on the objects."""
    from .logbook.stats import stats_of

    stats = stats_of(user, contacts, now)  # the loaded contacts carry the clocks it needs
    for contact in contacts:
        contact.stats_cache = stats.get(contact.id)  # type: ignore[attr-defined]
    return contacts
