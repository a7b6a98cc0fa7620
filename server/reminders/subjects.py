"""What a batch of outbox rows is about, loaded at once for the send-time rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from ..extensions import db
from ..models.push import Notification

Subject = TypeVar("Subject", bound=Any)


def owned_subjects(
    batch: Sequence[Notification], model: type[Subject], *options: ORMOption
) -> dict[int, Subject]:
    """Each row's subject (`model` by `subject_id`, loaded with `options`) in one query, by row
    id — only where the subject still exists and belongs to the row's user."""
    ids = {n.subject_id for n in batch if n.subject_id is not None}
    if not ids:
        return {}
    found = {s.id: s for s in db.session.scalars(
        select(model).where(model.id.in_(ids)).options(*options))}
    return {
        n.id: found[n.subject_id]
        for n in batch
        if n.subject_id in found and found[n.subject_id].user_id == n.user_id
    }
