"""How to reach a contact from a coaching step or the week's review: a link that opens a
message to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam, select

from ...extensions import db
from ...models import Contact, ContactEmail, User
from ..bound import USER_ID

_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_PHONES = select(Contact.id, Contact.phones).where(Contact.user_id == USER_ID, Contact.id.in_(_IDS))
_ADDRESSES = (
    select(ContactEmail.contact_id, ContactEmail.email)
    .where(ContactEmail.user_id == USER_ID, ContactEmail.contact_id.in_(_IDS))
    .order_by(ContactEmail.contact_id, ContactEmail.position, ContactEmail.id)
)


def message_urls(user: User, contact_ids: list[int]) -> dict[int, str | None]:
    """For each of the user's contacts: an sms: link to the first phone, else a mailto: to
    the first address, else None — two queries for all of them."""
    ids = sorted(set(contact_ids))
    if not ids:
        return {}
    phones: dict[int, list[Any]] = {
        row.id: row.phones
        for row in db.session.execute(_PHONES, {"user_id": user.id, "ids": ids})
    }
    first_address: dict[int, str] = {}
    for row in db.session.execute(_ADDRESSES, {"user_id": user.id, "ids": ids}):
        first_address.setdefault(row.contact_id, row.email)
    urls: dict[int, str | None] = {}
    for contact_id in ids:
        numbers = phones.get(contact_id)
        if numbers:
            urls[contact_id] = "sms:" + "".join(str(numbers[0]).split())
        elif contact_id in phones and contact_id in first_address:
            urls[contact_id] = f"mailto:{first_address[contact_id]}"
        else:
            urls[contact_id] = None
    return urls
