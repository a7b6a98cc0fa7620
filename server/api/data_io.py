"""Bring people in, take data out: vCard/CSV import, vCard and JSON export, restore, feed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, abort, current_app, request
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..contacts_io.backup import export_backup, restore_backup
from ..contacts_io.feed import new_feed_token
from ..contacts_io.feed_sources import user_feed
from ..contacts_io.importer import contact_fields, import_records
from ..contacts_io.records import NotAContactsFile
from ..contacts_io.sniff import IMPORT_MAX_BYTES, read_contacts_file
from ..contacts_io.vcard_writer import write_vcards
from ..errors import ApiError
from ..extensions import db, limiter
from ..json_body import load_json_text
from ..models import Contact, User, utcnow
from ..openapi import JSON_OR_MULTIPART_FILE, MULTIPART_FILE
from ..schemas.data_io import (
    FeedUrlSchema,
    ImportArgsSchema,
    ImportReportSchema,
    RestoreArgsSchema,
    RestoreReportSchema,
    VcardExportArgsSchema,
)

blp = Blueprint("data_io", __name__, url_prefix="/api", description="Import, export and backup")
site = FlaskBlueprint("data_io_site", __name__)

BACKUP_MAX_BYTES = 12 * 1024 * 1024


def _upload_bytes(limit: int, what: str) -> tuple[bytes, str]:
    """The uploaded `file` (multipart), read up to `limit` bytes; 413 past it."""
    megabytes = limit // (1024 * 1024)
    if request.content_length is not None and request.content_length > limit + 64 * 1024:
        raise ApiError(413, f"The file is larger than {megabytes} MB; split it and try again.")
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, f"Send the {what} as a multipart form field named 'file'.")
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"The file is larger than {megabytes} MB; split it and try again.")
    return data, upload.filename or ""


@blp.route("/contacts/import", methods=["POST"])
@blp.arguments(ImportArgsSchema, location="query")
@blp.doc(requestBody=MULTIPART_FILE)
@blp.response(200, ImportReportSchema)
@login_required
@limiter.limit(lambda: current_app.config["IMPORT_LIMIT"])
def import_contacts(args: dict[str, Any]) -> dict[str, Any]:
    """Import a .vcf or Google Contacts .csv (multipart `file`); `?dry_run=1` only previews."""
    data, filename = _upload_bytes(IMPORT_MAX_BYTES, "vCard or CSV file")
    try:
        kind, parsed = read_contacts_file(data, filename)
    except NotAContactsFile as exc:
        raise ApiError(exc.status, str(exc)) from None
    report = import_records(
        current_user, parsed, current_app.config["CONTACTS_PER_USER_MAX"], args["dry_run"]
    )
    if args["dry_run"]:
        db.session.rollback()
    else:
        db.session.commit()
    return {"format": kind, **report}


def _contacts_for_export(user: User) -> Iterator[dict[str, Any]]:
    stmt = (
        select(Contact)
        .where(Contact.user_id == user.id)
        .order_by(Contact.id)
        .options(undefer(Contact.photo))
    )
    for contact in db.session.scalars(stmt):
        yield {
            "uid": f"rapport-contact-{contact.id}",
            **contact_fields(contact),
            "name_parts": contact.name_parts,
            "photo": contact.photo,
        }


@blp.route("/contacts/export.vcf", methods=["GET"])
@blp.arguments(VcardExportArgsSchema, location="query")
@blp.response(200, content_type="text/vcard")
@login_required
def export_vcard(args: dict[str, Any]) -> Response:
    """Every contact as vCard 3.0 (iPhone and Google Contacts import it)."""
    body = "".join(write_vcards(_contacts_for_export(current_user), args["birthday_style"]))
    return Response(
        body.encode("utf-8"),
        mimetype="text/vcard",
        headers={
            "Content-Disposition": 'attachment; filename="rapport-contacts.vcf"',
            "Cache-Control": "no-store",
        },
    )


@blp.route("/export.json", methods=["GET"])
@blp.response(200, content_type="application/json")
@login_required
def export_json() -> Response:
    """A complete, versioned backup of everything the user owns (no secrets)."""
    document = export_backup(current_user, utcnow())
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="rapport-backup-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


@blp.route("/import.json", methods=["POST"])
@blp.arguments(RestoreArgsSchema, location="query")
@blp.doc(requestBody=JSON_OR_MULTIPART_FILE)
@blp.response(200, RestoreReportSchema)
@login_required
@limiter.limit(lambda: current_app.config["IMPORT_LIMIT"])
def import_json(args: dict[str, Any]) -> dict[str, Any]:
    """Restore a backup (JSON body or multipart `file`) into an empty account, or merge."""
    if request.mimetype == "multipart/form-data":
        raw, _ = _upload_bytes(BACKUP_MAX_BYTES, "backup file")
        document = load_json_text(raw, "This file is not a Rapport backup: it", unreadable=422)
    else:
        document = request.get_json(silent=True)
        if document is None:
            raise ApiError(422, "Send the backup as JSON or as a multipart field named 'file'.")
    counts = restore_backup(
        current_user, document, args["merge"], current_app.config["CONTACTS_PER_USER_MAX"]
    )
    db.session.commit()
    return {"restored": counts, "merged": args["merge"]}


def _feed_urls(token: str | None) -> dict[str, str | None]:
    if not token:
        return {"url": None, "webcal_url": None}
    url = f"{current_app.config['BASE_URL']}/calendar/{token}.ics"
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@blp.route("/calendar-feed", methods=["GET"])
@blp.response(200, FeedUrlSchema)
@login_required
def read_feed_url() -> dict[str, str | None]:
    """The private feed address to subscribe to (created on first use)."""
    if not current_user.feed_token:
        current_user.feed_token = new_feed_token()
        db.session.commit()
    return _feed_urls(current_user.feed_token)


@blp.route("/calendar-feed/rotate", methods=["POST"])
@blp.response(200, FeedUrlSchema)
@login_required
def rotate_feed_url() -> dict[str, str | None]:
    """Replace the feed secret: the old address stops working at once."""
    current_user.feed_token = new_feed_token()
    db.session.commit()
    return _feed_urls(current_user.feed_token)


@blp.route("/calendar-feed", methods=["DELETE"])
@blp.response(204)
@login_required
def disable_feed() -> None:
    """Turn the feed off: no address works until a new one is made."""
    current_user.feed_token = None
    db.session.commit()


@site.route("/calendar/<string:secret>.ics", methods=["GET"])
@limiter.limit(lambda: current_app.config["FEED_LIMIT"])
def calendar_feed(secret: str) -> Response:
    """The user's outgoing calendar; the secret in the path is the only credential."""
    if not secret or len(secret) > 64:
        abort(404)
    user = db.session.scalar(select(User).where(User.feed_token == secret))
    if user is None:
        abort(404)
    body = user_feed(user, utcnow(), current_app.config["BASE_URL"])
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="rapport.ics"',
            "Cache-Control": "private, max-age=900",
            "X-Robots-Tag": "noindex",
            "Referrer-Policy": "no-referrer",
        },
    )
