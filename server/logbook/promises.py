"""Promises: things I said I would give, open until delivered; overdue ones first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, or_, select, true

from ..errors import ApiError
from ..extensions import db
from ..models import User
from ..models.interactions import GiveTakeItem, Interaction, InteractionContact
from .interactions import tally_links
from .reading import contact_names


def promise_list_query(
    user_id: Any, today: Any, contact_id: Any = None, open_only: bool = True
) -> Select[Any]:
    """(item, log uuid, log time) rows of promises: overdue first, then by due date.

    `user_id`, `today` and `contact_id` are values, or bound parameters for a statement kept."""
    item = GiveTakeItem
    # The log's uuid is looked up per row (its primary key), and its time is the item's own
    # copy (kept in step with the log on every write), so no join with the whole log.
    uuid = select(Interaction.uuid).where(Interaction.id == item.interaction_id).scalar_subquery()
    stmt = (
        select(item, uuid.label("uuid"), item.occurred_at.label("occurred_at"))
        # `= true` (not IS TRUE) so PostgreSQL can use the promised index; it is NOT NULL.
        .where(item.user_id == user_id, item.promised == true(), item.direction == "gave")
    )
    if open_only:
        stmt = stmt.where(item.delivered_at.is_(None))
    if contact_id is not None:
        in_log = exists().where(
            InteractionContact.interaction_id == item.interaction_id,
            InteractionContact.contact_id == contact_id,
        )
        stmt = stmt.where(
            or_(item.contact_id == contact_id, and_(item.contact_id.is_(None), in_log))
        )
    overdue_first = case((and_(item.due_on.is_not(None), item.due_on < today), 0), else_=1)
    return stmt.order_by(
        overdue_first, item.due_on.is_(None), item.due_on, item.occurred_at, item.id
    )


def promise_rows(user: User, rows: list[Any], today: date) -> list[dict[str, Any]]:
    """Render promise rows with the people they were made to (two queries at most)."""
    shared = {row[0].interaction_id for row in rows if row[0].contact_id is None}
    people_of_log: dict[int, list[int]] = {}
    if shared:
        for link in db.session.execute(
            select(InteractionContact.interaction_id, InteractionContact.contact_id)
            .where(InteractionContact.interaction_id.in_(sorted(shared)))
            .order_by(InteractionContact.id)
        ):
            people_of_log.setdefault(link.interaction_id, []).append(link.contact_id)
    wanted = {row[0].contact_id for row in rows if row[0].contact_id is not None}
    wanted.update(cid for ids in people_of_log.values() for cid in ids)
    names = contact_names(user.id, wanted)
    result = []
    for item, uuid, occurred_at in rows:
        ids = [item.contact_id] if item.contact_id else people_of_log.get(item.interaction_id, [])
        result.append(
            {
                "id": item.id,
                "category": item.category,
                "note": item.note,
                "due_on": item.due_on,
                "overdue": bool(
                    item.delivered_at is None and item.due_on is not None and item.due_on < today
                ),
                "delivered_at": item.delivered_at,
                "interaction_uuid": uuid,
                "occurred_at": occurred_at,
                "people": [{"id": cid, "name": names.get(cid, "")} for cid in ids],
            }
        )
    return result


def deliver_promise(user: User, item_id: int, now: datetime) -> GiveTakeItem:
    """Mark a promise delivered (keeps the first delivery time)."""
    item = db.session.scalar(
        select(GiveTakeItem).where(
            GiveTakeItem.id == item_id,
            GiveTakeItem.user_id == user.id,
            GiveTakeItem.promised.is_(True),
        )
    )
    if item is None:
        raise ApiError(404, "No such promise.")
    if item.delivered_at is None:
        item.delivered_at = now
        interaction = db.session.get(Interaction, item.interaction_id)
        if interaction is not None:
            tally_links(interaction)  # a kept promise now counts as given
    return item
