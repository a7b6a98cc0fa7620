"""The blueprint of the give/take log and what its routes share: page envelopes, UUID paths
and the people hung on entries."""

from __future__ import annotations

import uuid as uuid_lib

from flask_login import current_user
from flask_smorest import Blueprint

from ...errors import ApiError
from ...logbook.reading import attach_people
from ...models.interactions import Interaction
from ...schemas import page_envelope
from ...schemas.interactions import (
    ChallengeSchema,
    FollowUpSchema,
    InteractionSchema,
    PromiseSchema,
    WinSchema,
)

blp = Blueprint("interactions", __name__, url_prefix="/api", description="The give/take log")
InteractionPageSchema = page_envelope(InteractionSchema, "InteractionPage")
PromisePageSchema = page_envelope(PromiseSchema, "PromisePage")
WinPageSchema = page_envelope(WinSchema, "WinPage")
ChallengePageSchema = page_envelope(ChallengeSchema, "ChallengePage")
FollowUpPageSchema = page_envelope(FollowUpSchema, "FollowUpPage")


def parse_uuid(text: str) -> str:
    """The canonical lower-case form of a UUID in the path, or 422."""
    try:
        return str(uuid_lib.UUID(text))
    except ValueError:
        raise ApiError(422, "Some fields are not valid.", {"uuid": ["Not a valid UUID."]}) from None


def with_people(interaction: Interaction) -> Interaction:
    """One entry with its people's names on it, for the answer."""
    return attach_people(current_user.id, [interaction])[0]
