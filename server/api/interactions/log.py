"""Log entries: create or update under a client UUID, read, delete, list."""

from __future__ import annotations

from typing import Any

from flask_login import current_user, login_required

from ...contacts import get_contact, paginate
from ...errors import ApiError
from ...extensions import db
from ...logbook.interactions import delete_interaction, find_interaction, put_interaction
from ...logbook.reading import attach_people, interaction_list_query
from ...models import utcnow
from ...models.interactions import Interaction
from ...schemas import page
from ...schemas.interactions import (
    InteractionInSchema,
    InteractionListArgsSchema,
    InteractionSchema,
)
from ...scopes import may
from ...transactions import commit_keeping_loaded
from .common import (
    InteractionPageSchema,
    blp,
    parse_uuid,
    with_people,
)

# Interactions


@blp.route("/interactions/<string:uuid>", methods=["PUT"])
@blp.arguments(InteractionInSchema)
@blp.response(200, InteractionSchema, description="Updated, or the same entry replayed.")
@blp.alt_response(201, schema=InteractionSchema, description="Created.")
@login_required
def put_log(data: dict[str, Any], uuid: str) -> Any:
    """Log an interaction under a client UUID: create (201), update or replay (200)."""
    now = utcnow()
    interaction, created = put_interaction(current_user, parse_uuid(uuid), data, now)
    if not created and interaction.updated_at == now and not may(current_user, "write"):
        raise ApiError(403, "This token may only log new entries; it needs 'write' to edit.")
    commit_keeping_loaded()
    return with_people(interaction), 201 if created else 200


@blp.route("/interactions/<string:uuid>", methods=["GET"])
@blp.response(200, InteractionSchema)
@login_required
def read_log(uuid: str) -> Interaction:
    """One log entry."""
    return with_people(find_interaction(current_user, parse_uuid(uuid)))


@blp.route("/interactions/<string:uuid>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_log(uuid: str) -> None:
    """Delete a log entry; the people's last-contact dates are recomputed."""
    delete_interaction(current_user, parse_uuid(uuid))
    db.session.commit()


@blp.route("/interactions", methods=["GET"])
@blp.arguments(InteractionListArgsSchema, location="query")
@blp.response(200, InteractionPageSchema)
@login_required
def list_logs(args: dict[str, Any]) -> dict[str, Any]:
    """The log, newest first: filter by person, local date range, kind or meeting."""
    if args["contact_id"] is not None:
        get_contact(current_user, args["contact_id"])
    items, total = paginate(interaction_list_query(current_user, args), args["page"], args["per_page"])
    return page(attach_people(current_user.id, items), total, args)
