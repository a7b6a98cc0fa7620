"""Invitations and the first account: who may register, race-free.

An invitation is a single-use link `<base>/join?code=<code>` with an expiry; only the code's
SHA-256 is stored, so the link is shown once, when it is made. Redeeming it is one
conditional UPDATE (`used_at IS NULL AND not expired`), so two people racing with the same
link cannot both get in. The first account is claimed by inserting one system_state row
whose primary key lets exactly one of several simultaneous sign-ups win.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .crypto import new_token, sha256_hex
from .errors import ApiError
from .extensions import db
from .models import Invite, SystemState, User

FIRST_ACCOUNT_KEY = "registration.first_account"
DEFAULT_EXPIRY_DAYS = 7
CODE_BYTES = 12


def claim_first_account(user_email: str) -> bool:
    """True when this sign-up is the instance's first; it must be the transaction's first write.

    A loser's INSERT waits for the winner's commit (row lock on PostgreSQL, the write lock on
    SQLite) and then fails on the primary key; its transaction is rolled back, which is
    harmless because nothing else was written yet.
    """
    db.session.add(SystemState(key=FIRST_ACCOUNT_KEY, value={"email": user_email}))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    # Accounts made without signing up (a restore, the command line) already hold the place.
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def release_first_account() -> None:
    """Once the last account is deleted, the next sign-up is the instance's first again."""
    if db.session.scalar(select(func.count()).select_from(User)) == 0:
        db.session.execute(delete(SystemState).where(SystemState.key == FIRST_ACCOUNT_KEY))


def join_url(base_url: str, code: str) -> str:
    """The link a new person opens to sign up with `code` filled in."""
    return f"{base_url.rstrip('/')}/join?code={quote(code, safe='')}"


def create_invite(
    admin: User, now: datetime, *, label: str = "", days: int = DEFAULT_EXPIRY_DAYS
) -> tuple[Invite, str]:
    """A new invitation from `admin` valid for `days` days, and its code (shown once)."""
    code = new_token(nbytes=CODE_BYTES)
    invite = Invite(
        created_by_id=admin.id,
        code_hash=sha256_hex(code),
        label=label.strip(),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invite)
    db.session.flush()
    return invite, code


def open_invites(admin: User, now: datetime) -> list[Invite]:
    """The admin's invitations that can still be used, newest first."""
    return list(
        db.session.scalars(
            select(Invite)
            .where(Invite.created_by_id == admin.id, *_usable(now))
            .order_by(Invite.created_at.desc(), Invite.id.desc())
        )
    )


def revoke_invite(admin: User, invite_id: int) -> None:
    """Delete one of the admin's invitations (a foreign or unknown id is a 404)."""
    invite = db.session.scalar(
        select(Invite).where(Invite.id == invite_id, Invite.created_by_id == admin.id)
    )
    if invite is None:
        raise ApiError(404, "No such invitation.")
    db.session.delete(invite)


def invite_problem(code: str | None, now: datetime) -> str | None:
    """Why `code` cannot be used to sign up, in plain words; None when it can."""
    if not code:
        return "Sign-up here is by invitation. Ask the person who runs this Rapport for a link."
    invite = db.session.scalar(select(Invite).where(Invite.code_hash == sha256_hex(code)))
    if invite is None:
        return "That invitation link is not valid. Ask for a new one."
    if invite.used_at is not None:
        return "That invitation link was already used. Ask for a new one."
    if invite.expires_at is not None and invite.expires_at <= now:
        return "That invitation link has expired. Ask for a new one."
    return None


def redeem_invite(code: str | None, now: datetime) -> None:
    """Mark the invitation used, atomically; raises 403 with the reason when it cannot be."""
    problem = invite_problem(code, now)
    if problem is None:
        assert code is not None
        used = db.session.execute(
            update(Invite)
            .where(Invite.code_hash == sha256_hex(code), *_usable(now))
            .values(used_at=now)
        )
        if used.rowcount == 1:  # type: ignore[attr-defined]
            return
        problem = "That invitation link was already used. Ask for a new one."
    raise ApiError(403, problem)


def _usable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Invite.used_at.is_(None),
        or_(Invite.expires_at.is_(None), Invite.expires_at > now),
    )
