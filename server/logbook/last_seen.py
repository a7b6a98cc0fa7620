"""The people's denormalised dates: when each was last in the log, and last met in person.

Kept equal to what the log says by every write that changes who an entry is with, its time or
its kind (before and after the change), so lists can sort and filter on them cheaply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Contact
from ..models.interactions import Interaction, InteractionContact


def refresh_last_seen(user_id: int, contact_ids: set[int]) -> None:
    """Recompute the contacts' last interaction and last in-person meeting from the log."""
    if not contact_ids:
        return
    db.session.flush()

    def latest(in_person: bool) -> Any:
        stmt = (
            select(func.max(Interaction.occurred_at))
            .join(InteractionContact, InteractionContact.interaction_id == Interaction.id)
            .where(InteractionContact.contact_id == Contact.id)
        )
        if in_person:
            stmt = stmt.where(Interaction.kind == "in_person")
        return stmt.scalar_subquery()

    db.session.execute(
        update(Contact)
        .where(Contact.user_id == user_id, Contact.id.in_(sorted(contact_ids)))
        .values(
            last_interaction_at=latest(False),
            last_in_person_at=latest(True),
            updated_at=Contact.updated_at,  # a log entry is not an edit of the card
        )
        .execution_options(synchronize_session=False)
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Contact) and obj.id in contact_ids:
            db.session.expire(obj, ["last_interaction_at", "last_in_person_at"])
