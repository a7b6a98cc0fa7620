"""Logging interactions: idempotent create-or-update by client UUID, and delete.

Every write keeps the denormalised `last_interaction_at` / `last_in_person_at` of the people
involved (before and after the change) equal to what the log says, keeps the challenge noted
in the log in step with the `challenges` table, and lets a "congrats" given to someone close
their open wins.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..calendars.log_rule import confirm_from_log
from ..contacts import owned_contact_ids
from ..errors import ApiError
from ..extensions import db
from ..models import User
from ..models.calendars import Meeting
from ..models.interactions import Challenge, GiveTakeItem, Interaction, InteractionContact
from ..transactions import begin_write
from .clock import local_date
from .last_seen import refresh_last_seen
from .wins import congratulate_wins_from_log, note_win_from_log, reconsider_wins_closed_by

SCALAR_FIELDS = ("occurred_at", "kind", "meeting_id", "notes", "challenge", "follow_up_on")
ITEM_FIELDS = ("category", "note", "contact_id", "promised", "due_on")
FUTURE_SLACK = timedelta(days=1)


def find_interaction(user: User, uuid: str) -> Interaction:
    """One of the user's interactions by UUID, or 404 (also when another user owns it)."""
    interaction = db.session.scalar(
        select(Interaction).where(Interaction.uuid == uuid, Interaction.user_id == user.id)
    )
    if interaction is None:
        raise ApiError(404, "No such interaction.")
    return interaction


def put_interaction(
    user: User, uuid: str, data: dict[str, Any], now: datetime
) -> tuple[Interaction, bool]:
    """Create or update the interaction `uuid`; returns (interaction, created).

    A replay of the same body changes nothing. Concurrent writes to one UUID take turns on a
    write lock (the row lock on PostgreSQL, the database write lock on SQLite), so the last
    one wins whole; when a concurrent request inserts the same UUID first, the unique
    constraint refuses ours and the write is retried as an update of the row it made.
    """
    try:
        result = _save(user, uuid, data, now)
        db.session.flush()
        return result
    except IntegrityError:
        db.session.rollback()
    interaction, _ = _save(user, uuid, data, now)
    db.session.flush()
    return interaction, False


def _locked_owner(uuid: str) -> int | None:
    """Who owns `uuid` (None: nobody yet), holding the write lock on it for this transaction."""
    begin_write()
    stmt = select(Interaction.user_id).where(Interaction.uuid == uuid)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def _save(user: User, uuid: str, data: dict[str, Any], now: datetime) -> tuple[Interaction, bool]:
    owner_id = _locked_owner(uuid)
    if owner_id is not None and owner_id != user.id:
        raise ApiError(404, "No such interaction.")
    _check_references(user, data, now)
    created = owner_id is None
    if created:
        interaction = Interaction(uuid=uuid, user_id=user.id, created_at=now, updated_at=now)
        interaction.win = None  # known empty: never looked up for a new entry
        db.session.add(interaction)
        before: set[int] = set()
        changed = True
    else:
        interaction = find_interaction(user, uuid)
        before = set(interaction.contact_ids)
        changed = False
    old_clock = (interaction.occurred_at, interaction.kind)
    changed |= _apply_fields(interaction, data)
    changed |= _apply_contacts(interaction, user.id, data["contact_ids"])
    changed |= _apply_items(interaction, user.id, data)
    changed |= note_win_from_log(user, interaction, data.get("win"), now)
    if not changed:
        return interaction, created
    interaction.updated_at = now
    tally_links(interaction)
    db.session.flush()
    _sync_challenges(user, interaction, data.get("challenge_check_in_on"), created)
    if not created:
        reconsider_wins_closed_by(user, before, old_clock[0])
    congratulate_wins_from_log(user, interaction)
    confirm_from_log(user.id, interaction.meeting_id, interaction.contact_ids)
    after = set(interaction.contact_ids)
    if created or before != after or old_clock != (interaction.occurred_at, interaction.kind):
        refresh_last_seen(user.id, before | after)
    return interaction, created


def tally_links(interaction: Interaction) -> None:
    """Copy the log's time onto its items and links, and each person's counts onto links."""
    interaction.refresh_copies()


def _check_references(user: User, data: dict[str, Any], now: datetime) -> None:
    """Contacts must be the user's own, items must name people who were there."""
    if data["occurred_at"] > now + FUTURE_SLACK:
        raise ApiError(
            422, "Some fields are not valid.", {"occurred_at": ["That is in the future."]}
        )
    wanted = data["contact_ids"]
    owned = owned_contact_ids(user, wanted)
    missing = [cid for cid in wanted if cid not in owned]
    if missing:
        raise ApiError(
            404, "No such contact.", {"contact_ids": [f"No such contact: {cid}" for cid in missing]}
        )
    for direction in ("gave", "received"):
        for index, item in enumerate(data[direction]):
            if item.get("contact_id") is not None and item["contact_id"] not in wanted:
                raise ApiError(
                    422,
                    "Some fields are not valid.",
                    {direction: {str(index): {"contact_id": ["Not one of this log's people."]}}},
                )
    meeting_id = data.get("meeting_id")
    if meeting_id is not None and not meeting_belongs_to(user, meeting_id):
        raise ApiError(404, "No such meeting.", {"meeting_id": ["No such meeting."]})


def meeting_belongs_to(user: User, meeting_id: int) -> bool:
    """True when the meeting is the user's."""
    owner = db.session.scalar(select(Meeting.user_id).where(Meeting.id == meeting_id))
    return owner == user.id


def _apply_fields(interaction: Interaction, data: dict[str, Any]) -> bool:
    changed = False
    for field in SCALAR_FIELDS:
        value = data.get(field)
        if field == "notes":
            value = value or ""
        if getattr(interaction, field) != value:
            setattr(interaction, field, value)
            changed = True
            if field == "follow_up_on":
                # A new follow-up date starts afresh: not done, not snoozed.
                interaction.follow_up_done_at = None
                interaction.follow_up_snoozed_until = None
    return changed


def _apply_contacts(interaction: Interaction, user_id: int, contact_ids: list[int]) -> bool:
    current = {link.contact_id: link for link in interaction.contact_links}
    if list(current) == contact_ids:
        return False
    interaction.contact_links = [
        current.get(cid) or InteractionContact(contact_id=cid, user_id=user_id)
        for cid in contact_ids
    ]
    return True


def _apply_items(interaction: Interaction, user_id: int, data: dict[str, Any]) -> bool:
    """Replace the gave/received lists, keeping the identity of items that are still there.

    An incoming item with an `id` updates that item; one without is matched to an unclaimed
    existing item with the same direction, category, note and person (so a replay changes
    nothing and a promise keeps its id and delivery); anything left over is removed.
    """
    existing = list(interaction.items)
    by_id = {item.id: item for item in existing}
    claimed: set[int] = set()
    result: list[GiveTakeItem] = []
    changed = False
    for direction in ("gave", "received"):
        for index, wanted in enumerate(data[direction]):
            match = _claim(existing, by_id, claimed, direction, wanted, index)
            if match is None:
                match = GiveTakeItem(user_id=user_id, direction=direction)
                changed = True
            else:
                claimed.add(id(match))
            changed |= _apply_item(match, wanted)
            result.append(match)
    if len(claimed) != len(existing):
        changed = True
    if changed:
        interaction.items = result
    return changed


def _claim(
    existing: list[GiveTakeItem],
    by_id: dict[int, GiveTakeItem],
    claimed: set[int],
    direction: str,
    wanted: dict[str, Any],
    index: int,
) -> GiveTakeItem | None:
    if wanted.get("id") is not None:
        item = by_id.get(wanted["id"])
        if item is None or item.direction != direction or id(item) in claimed:
            raise ApiError(
                422,
                "Some fields are not valid.",
                {direction: {str(index): {"id": ["Not an item of this log."]}}},
            )
        return item
    key = (direction, wanted["category"], wanted.get("note") or "", wanted.get("contact_id"))
    for item in existing:
        if id(item) not in claimed and (
            item.direction,
            item.category,
            item.note,
            item.contact_id,
        ) == key:
            return item
    return None


def _apply_item(item: GiveTakeItem, wanted: dict[str, Any]) -> bool:
    changed = False
    values = {
        "category": wanted["category"],
        "note": wanted.get("note") or "",
        "contact_id": wanted.get("contact_id"),
        "promised": bool(wanted.get("promised")),
        "due_on": wanted.get("due_on") if wanted.get("promised") else None,
    }
    for field in ITEM_FIELDS:
        if getattr(item, field) != values[field]:
            setattr(item, field, values[field])
            changed = True
    if not item.promised and item.delivered_at is not None:
        item.delivered_at = None
        changed = True
    return changed


def _sync_challenges(
    user: User, interaction: Interaction, check_in_on: date | None, created: bool
) -> None:
    """One challenge row per person of the log while the log notes a challenge."""
    rows = {} if created else {
        row.contact_id: row
        for row in db.session.scalars(
            select(Challenge).where(
                Challenge.user_id == user.id, Challenge.interaction_id == interaction.id
            )
        )
    }
    text = interaction.challenge
    wanted = set(interaction.contact_ids) if text else set()
    noted_on = local_date(user, interaction.occurred_at)
    for contact_id, row in rows.items():
        if contact_id not in wanted:
            db.session.delete(row)
            continue
        row.text = text or ""
        row.noted_on = noted_on
        if check_in_on is not None:
            row.check_in_on = check_in_on
    for contact_id in wanted - set(rows):
        db.session.add(
            Challenge(
                user_id=user.id,
                contact_id=contact_id,
                interaction_id=interaction.id,
                text=text or "",
                noted_on=noted_on,
                check_in_on=check_in_on,
            )
        )


def delete_interaction(user: User, uuid: str) -> None:
    """Remove a log entry (its items and challenges go with it) and fix the people's dates."""
    interaction = find_interaction(user, uuid)
    contact_ids = set(interaction.contact_ids)
    closed_at = interaction.occurred_at
    db.session.execute(delete(Challenge).where(Challenge.interaction_id == interaction.id))
    db.session.delete(interaction)
    db.session.flush()
    reconsider_wins_closed_by(user, contact_ids, closed_at)
    refresh_last_seen(user.id, contact_ids)
