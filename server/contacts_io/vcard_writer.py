"""vCard 3.0 export that the iPhone and Google Contacts import back.

Dates without a year have no standard vCard 3.0 form. Two exporters set the practice:
Apple writes `BDAY;X-APPLE-OMIT-YEAR=1604:1604-MM-DD` (read as "no year" by iOS, macOS,
iCloud, Nextcloud/SabreDAV, DAVx5 and Thunderbird birthday calendars; shown as 1604 by
readers that ignore the parameter), and Google Contacts writes `BDAY:--MMDD` (the vCard 4
form, which Google, ez-vcard and most Android importers read back). The default is Apple's
form; `style="google"` writes Google's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from .names import PARTS, clean_parts, parse_display_name
from .records import split_partial_date

BIRTHDAY_STYLES = ("apple", "google")
PRODID = "-//Rapport//Rapport contacts export//EN"
_FOLD_AT = 75  # octets per physical line, CRLF not counted (RFC 2425 §5.8.1)


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, newline, comma, semicolon."""
    return (
        value.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def fold_line(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character; CRLF line ends."""
    encoded = line.encode("utf-8")
    if len(encoded) <= _FOLD_AT:
        return line + "\r\n"
    out: list[str] = []
    current: list[str] = []
    size = 0
    limit = _FOLD_AT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, _FOLD_AT - 1  # continuation lines start with a space
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def format_date(value: str, style: str) -> tuple[str, str]:
    """(parameters, value) for a `YYYY-MM-DD` / `--MM-DD` date in the chosen style."""
    year, month, day = split_partial_date(value)
    if year is not None:
        return "", f"{year:04d}-{month:02d}-{day:02d}"
    if style == "google":
        return "", f"--{month:02d}{day:02d}"
    return ";X-APPLE-OMIT-YEAR=1604", f"1604-{month:02d}-{day:02d}"


def _phone_number(phone: Any) -> str:
    if isinstance(phone, Mapping):
        return str(phone.get("number") or phone.get("value") or "")
    return str(phone or "")


def _n_value(contact: Mapping[str, Any], name: str) -> str:
    """The N property value: the stored parts, else those guessed from the display name."""
    parts = clean_parts(contact.get("name_parts")) or parse_display_name(name)
    if parts is None:
        return f";{escape_text(name)};;;"
    return ";".join(",".join(escape_text(v) for v in parts[key]) for key in PARTS)


def contact_to_vcard(contact: Mapping[str, Any], style: str = "apple") -> str:
    """One contact (name and its N parts, e-mails, phones, work, notes, tags, dates, photo)."""
    name = str(contact.get("name") or "")
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"PRODID:{PRODID}"]
    if contact.get("uid"):
        lines.append(f"UID:{escape_text(str(contact['uid']))}")
    lines.append(f"FN:{escape_text(name)}")
    lines.append(f"N:{_n_value(contact, name)}")
    for index, email in enumerate(contact.get("emails") or []):
        pref = ";TYPE=pref" if index == 0 else ""
        lines.append(f"EMAIL;TYPE=INTERNET{pref}:{escape_text(str(email))}")
    for index, phone in enumerate(contact.get("phones") or []):
        number = _phone_number(phone)
        if number:
            pref = ";TYPE=pref" if index == 0 else ""
            lines.append(f"TEL;TYPE=VOICE{pref}:{escape_text(number)}")
    if contact.get("company"):
        lines.append(f"ORG:{escape_text(str(contact['company']))}")
    if contact.get("title"):
        lines.append(f"TITLE:{escape_text(str(contact['title']))}")
    if contact.get("url"):
        lines.append(f"URL:{escape_text(str(contact['url']))}")
    if contact.get("birthday"):
        params, value = format_date(str(contact["birthday"]), style)
        lines.append(f"BDAY{params}:{value}")
    if contact.get("anniversary"):
        params, value = format_date(str(contact["anniversary"]), style)
        # The Apple/Google form: a labelled X-ABDATE in an item group.
        lines.append(f"item1.X-ABDATE{params}:{value}")
        lines.append("item1.X-ABLabel:_$!<Anniversary>!$_")
    tags = [escape_text(str(t)) for t in contact.get("tags") or [] if t]
    if tags:
        lines.append("CATEGORIES:" + ",".join(tags))
    if contact.get("notes"):
        lines.append(f"NOTE:{escape_text(str(contact['notes']))}")
    if contact.get("photo"):
        lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(contact["photo"]).decode())
    lines.append("END:VCARD")
    return "".join(fold_line(line) for line in lines)


def write_vcards(contacts: Iterable[Mapping[str, Any]], style: str = "apple") -> Iterable[str]:
    """Cards one by one, so a large export can be streamed."""
    for contact in contacts:
        yield contact_to_vcard(contact, style)
