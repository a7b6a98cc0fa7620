"""What a log leaves open: promises, wins, challenges and follow-ups."""

from __future__ import annotations

from typing import Any

from flask_login import current_user, login_required

from ...contacts import get_contact, paginate
from ...extensions import db
from ...logbook.challenges import (
    add_challenge,
    challenge_list_query,
    challenge_row,
    get_challenge,
    resolve_challenge,
    update_challenge,
)
from ...logbook.clock import local_today
from ...logbook.follow_ups import (
    follow_up_list_query,
    follow_up_row,
    mark_follow_up_done,
    snooze_follow_up,
)
from ...logbook.promises import deliver_promise, promise_list_query, promise_rows
from ...logbook.reading import attach_people
from ...logbook.wins import add_win, congratulate, get_win, win_list_query, win_row
from ...models import utcnow
from ...models.interactions import Challenge, Interaction
from ...schemas import page
from ...schemas.interactions import (
    ChallengeInSchema,
    ChallengeListArgsSchema,
    ChallengeSchema,
    ChallengeUpdateSchema,
    FollowUpListArgsSchema,
    FollowUpSchema,
    PromiseListArgsSchema,
    PromiseSchema,
    SnoozeSchema,
    WinInSchema,
    WinListArgsSchema,
    WinSchema,
)
from .common import (
    ChallengePageSchema,
    FollowUpPageSchema,
    PromisePageSchema,
    WinPageSchema,
    blp,
    parse_uuid,
    with_people,
)

# Promises


@blp.route("/promises", methods=["GET"])
@blp.arguments(PromiseListArgsSchema, location="query")
@blp.response(200, PromisePageSchema)
@login_required
def list_promises(args: dict[str, Any]) -> dict[str, Any]:
    """Promises I made (open ones by default), overdue first."""
    if args["contact_id"] is not None:
        get_contact(current_user, args["contact_id"])
    today = local_today(current_user, utcnow())
    stmt = promise_list_query(current_user.id, today, args["contact_id"], args["open"])
    rows, total = paginate(stmt, args["page"], args["per_page"], rows=True)
    return page(promise_rows(current_user, rows, today), total, args)


@blp.route("/promises/<int:item_id>/deliver", methods=["POST"])
@blp.response(200, PromiseSchema)
@login_required
def deliver(item_id: int) -> dict[str, Any]:
    """Mark a promise delivered."""
    now = utcnow()
    item = deliver_promise(current_user, item_id, now)
    db.session.commit()
    log = db.session.get(Interaction, item.interaction_id)
    assert log is not None
    return promise_rows(current_user, [(item, log.uuid, log.occurred_at)], local_today(current_user, now))[0]


# Wins


@blp.route("/contacts/<int:contact_id>/wins", methods=["POST"])
@blp.arguments(WinInSchema)
@blp.response(201, WinSchema)
@login_required
def record_win(data: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Record a contact's success, to congratulate them on."""
    win = add_win(current_user, contact_id, data, utcnow())
    db.session.commit()
    return win_row(win, get_contact(current_user, contact_id).name)


@blp.route("/wins", methods=["GET"])
@blp.arguments(WinListArgsSchema, location="query")
@blp.response(200, WinPageSchema)
@login_required
def list_wins(args: dict[str, Any]) -> dict[str, Any]:
    """Wins, newest first; `open=1` for those still to congratulate."""
    stmt = win_list_query(current_user.id, args["contact_id"], args["open"])
    rows, total = paginate(stmt, args["page"], args["per_page"], rows=True)
    return page([win_row(win, name) for win, name in rows], total, args)


@blp.route("/wins/<int:win_id>/congratulate", methods=["POST"])
@blp.response(200, WinSchema)
@login_required
def congratulate_win(win_id: int) -> dict[str, Any]:
    """Mark a win congratulated."""
    win = congratulate(current_user, win_id, utcnow())
    db.session.commit()
    return win_row(win, get_contact(current_user, win.contact_id).name)


@blp.route("/wins/<int:win_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_win(win_id: int) -> None:
    """Delete a win."""
    db.session.delete(get_win(current_user, win_id))
    db.session.commit()


# Challenges


def _challenge_out(challenge: Challenge) -> dict[str, Any]:
    log = db.session.get(Interaction, challenge.interaction_id) if challenge.interaction_id else None
    name = get_contact(current_user, challenge.contact_id).name
    today = local_today(current_user, utcnow())
    return challenge_row(challenge, name, log.uuid if log else None, today)


@blp.route("/challenges", methods=["GET"])
@blp.arguments(ChallengeListArgsSchema, location="query")
@blp.response(200, ChallengePageSchema)
@login_required
def list_challenges(args: dict[str, Any]) -> dict[str, Any]:
    """Challenges, check-ins soonest first; `open=1` for unresolved ones."""
    today = local_today(current_user, utcnow())
    stmt = challenge_list_query(current_user.id, args["contact_id"], args["open"])
    rows, total = paginate(stmt, args["page"], args["per_page"], rows=True)
    return page([challenge_row(c, name, uuid, today) for c, name, uuid in rows], total, args)


@blp.route("/contacts/<int:contact_id>/challenges", methods=["POST"])
@blp.arguments(ChallengeInSchema)
@blp.response(201, ChallengeSchema)
@login_required
def note_challenge(data: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Note a challenge on a contact outside of a log entry."""
    challenge = add_challenge(current_user, contact_id, data, utcnow())
    db.session.commit()
    return _challenge_out(challenge)


@blp.route("/challenges/<int:challenge_id>", methods=["PATCH"])
@blp.arguments(ChallengeUpdateSchema)
@blp.response(200, ChallengeSchema)
@login_required
def patch_challenge(data: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """Set or clear the check-in date, edit the text, or reopen."""
    challenge = update_challenge(current_user, challenge_id, data)
    db.session.commit()
    return _challenge_out(challenge)


@blp.route("/challenges/<int:challenge_id>/resolve", methods=["POST"])
@blp.response(200, ChallengeSchema)
@login_required
def resolve(challenge_id: int) -> dict[str, Any]:
    """Mark a challenge resolved."""
    challenge = resolve_challenge(current_user, challenge_id, utcnow())
    db.session.commit()
    return _challenge_out(challenge)


@blp.route("/challenges/<int:challenge_id>", methods=["DELETE"])
@blp.response(204)
@login_required
def delete_challenge(challenge_id: int) -> None:
    """Delete a challenge."""
    db.session.delete(get_challenge(current_user, challenge_id))
    db.session.commit()


# Follow-ups


@blp.route("/follow-ups", methods=["GET"])
@blp.arguments(FollowUpListArgsSchema, location="query")
@blp.response(200, FollowUpPageSchema)
@login_required
def list_follow_ups(args: dict[str, Any]) -> dict[str, Any]:
    """Open follow-ups, soonest first; `due=1` for those due by today."""
    today = local_today(current_user, utcnow())
    stmt = follow_up_list_query(current_user.id, today if args["due"] else None)
    items, total = paginate(stmt, args["page"], args["per_page"])
    attach_people(current_user.id, items)
    return page([follow_up_row(i, today) for i in items], total, args)


@blp.route("/follow-ups/<string:uuid>/done", methods=["POST"])
@blp.response(200, FollowUpSchema)
@login_required
def follow_up_done(uuid: str) -> dict[str, Any]:
    """Mark a follow-up done."""
    now = utcnow()
    interaction = mark_follow_up_done(current_user, parse_uuid(uuid), now)
    db.session.commit()
    return follow_up_row(with_people(interaction), local_today(current_user, now))


@blp.route("/follow-ups/<string:uuid>/snooze", methods=["POST"])
@blp.arguments(SnoozeSchema)
@blp.response(200, FollowUpSchema)
@login_required
def follow_up_snooze(data: dict[str, Any], uuid: str) -> dict[str, Any]:
    """Snooze a follow-up to a later day (`until`) or by `days`."""
    today = local_today(current_user, utcnow())
    interaction = snooze_follow_up(current_user, parse_uuid(uuid), data, today)
    db.session.commit()
    return follow_up_row(with_people(interaction), today)
