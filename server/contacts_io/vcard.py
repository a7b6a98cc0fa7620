"""A tolerant vCard 2.1 / 3.0 / 4.0 reader: bytes in, one ContactRecord per card out.

vobject 0.9.9 is not used for reading because real exports break it in three ways: an
unescaped comma inside FN truncates the name, one malformed PHOTO raises and ends the whole
file, and a broken quoted-printable byte raises UnicodeDecodeError. This reader works
line by line on bytes, so each property is decoded with its own ENCODING and CHARSET,
binary properties other than the photo are skipped without being decoded, and a card that still fails is
reported on its own while the rest of the file is read.
"""

from __future__ import annotations

import re

from .names import clean_parts, parse_display_name
from .photos import PhotoProblem, decode_photo, resize_photo
from .records import (
    COMPANY_MAX,
    EMAILS_PER_CONTACT_MAX,
    NAME_MAX,
    NOTES_MAX,
    PHONES_PER_CONTACT_MAX,
    TAG_MAX,
    TAGS_PER_CONTACT_MAX,
    TITLE_MAX,
    URL_MAX,
    CardError,
    ContactRecord,
    NotAContactsFile,
    ParseResult,
    add_unique,
    clean_line,
    clean_text,
    normalize_email,
    normalize_phone,
    parse_birthday,
    parse_partial_date,
    phone_key,
)
from .vcard_lines import Property, logical_lines, split_cards, to_utf8_bytes
from .vcard_values import decode_value, split_unescaped, unescape

# System groups that exporters write on every card: they are not the user's tags.
SYSTEM_GROUPS = frozenset({"my contacts", "mycontacts", "starred", "favorites", "favourites"})
ANNIVERSARY_LABELS = frozenset({"_$!<anniversary>!$_", "anniversary"})


def read_vcards(data: bytes) -> ParseResult:
    """Read every card in a .vcf file; raise NotAContactsFile when there is none."""
    data = to_utf8_bytes(data)
    if not re.search(rb"(?im)^[ \t]*BEGIN[ \t]*:[ \t]*VCARD", data):
        raise NotAContactsFile("This file holds no vCard (no BEGIN:VCARD line).")
    result = ParseResult()
    for card in split_cards(logical_lines(data)):
        try:
            record = card_to_record(card.position, card.props, card.version)
        except _CardProblem as problem:
            result.errors.append(CardError(card.position, problem.name, str(problem)))
            continue
        except Exception:  # a card we cannot make sense of must not sink the file
            result.errors.append(
                CardError(card.position, _card_label(card.props), "This card could not be read.")
            )
            continue
        if card.overflow:
            result.errors.append(CardError(card.position, record.name, "This card has too many properties."))
            continue
        result.records.append(record)
    if not result.records and not result.errors:
        raise NotAContactsFile("This file holds no vCard.")
    return result


class _CardProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _card_label(props: list[Property]) -> str:
    for prop in props:
        if prop.name == "FN" and not prop.too_long:
            return clean_line(unescape(decode_value(prop)), 80)
    return ""


def _preferred_first(props: list[Property]) -> list[Property]:
    return sorted(props, key=lambda p: 0 if "PREF" in p.types else 1)


def card_to_record(position: int, props: list[Property], version: str = "3.0") -> ContactRecord:
    """The fields Rapport keeps, read from one card's properties."""
    label = _card_label(props)
    for prop in props:
        if prop.too_long:
            raise _CardProblem(label, f"The {prop.name} value is too long to be real.")
    by_name: dict[str, list[Property]] = {}
    for prop in props:
        by_name.setdefault(prop.name, []).append(prop)
    labels = {
        p.group: unescape(decode_value(p)).strip().lower() for p in by_name.get("X-ABLABEL", []) if p.group
    }

    def texts(name: str) -> list[str]:
        return [unescape(decode_value(p)) for p in _preferred_first(by_name.get(name, []))]

    record = ContactRecord(position)
    for text in texts("EMAIL"):
        add_unique(record.emails, normalize_email(text), EMAILS_PER_CONTACT_MAX)
    for text in texts("TEL"):
        add_unique(record.phones, normalize_phone(text), PHONES_PER_CONTACT_MAX, key=phone_key)
    record.name = _read_name(by_name, record.emails)
    record.name_parts = _read_name_parts(by_name) or parse_display_name(record.name)
    record.photo = _read_photo(by_name, record.report_notes)
    if not record.name:
        raise _CardProblem(label, "This card has no name and no e-mail address.")
    orgs = [split_unescaped(decode_value(p), ";") for p in by_name.get("ORG", [])]
    if orgs:
        record.company = clean_line(unescape(orgs[0][0]), COMPANY_MAX)
    titles = texts("TITLE")
    if titles:
        record.title = clean_line(titles[0], TITLE_MAX)
    urls = [clean_line(t, URL_MAX) for t in texts("URL")]
    record.url = next((u for u in urls if u), "")
    notes = [clean_text(t, NOTES_MAX) for t in texts("NOTE")]
    for prop in by_name.get("CATEGORIES", []):
        for tag in split_unescaped(decode_value(prop), ","):
            tag = clean_line(unescape(tag), TAG_MAX)
            if tag and tag.lower() not in SYSTEM_GROUPS:
                add_unique(record.tags, tag, TAGS_PER_CONTACT_MAX, key=str.casefold)
    for prop in by_name.get("BDAY", []):
        text = clean_line(unescape(decode_value(prop)), 100)
        parsed = None
        if (prop.param("VALUE") or "").lower() != "text":
            parsed = parse_birthday(text, prop.param("X-APPLE-OMIT-YEAR"), record.report_notes)
        if parsed:
            record.birthday = parsed
            break
        if text:
            notes.append(f"Birthday: {text}")
    record.anniversary = _read_anniversary(by_name, labels)
    record.notes = clean_text("\n\n".join(n for n in notes if n), NOTES_MAX)
    return record


def _read_name(by_name: dict[str, list[Property]], emails: list[str]) -> str:
    """FN (commas kept), else the parts of N, else the organisation, else the first e-mail."""
    for prop in by_name.get("FN", []):
        name = clean_line(unescape(decode_value(prop)), NAME_MAX + 1)
        if name:
            if len(name) > NAME_MAX:
                raise _CardProblem(name[:80], "The name is longer than 200 characters.")
            return name
    for prop in by_name.get("N", []):
        parts = [unescape(p).replace(",", " ") for p in split_unescaped(decode_value(prop), ";")]
        parts += [""] * (5 - len(parts))
        family, given, additional, prefix, suffix = parts[:5]
        name = clean_line(" ".join([prefix, given, additional, family, suffix]), NAME_MAX + 1)
        if name:
            return name[:NAME_MAX]
    for key in ("NICKNAME", "ORG"):
        for prop in by_name.get(key, []):
            name = clean_line(unescape(split_unescaped(decode_value(prop), ";")[0]), NAME_MAX)
            if name:
                return name
    return emails[0] if emails else ""


def _read_name_parts(by_name: dict[str, list[Property]]) -> dict[str, list[str]] | None:
    """The N property's five parts, each a list of its comma-separated values."""
    for prop in by_name.get("N", []):
        parts = split_unescaped(decode_value(prop), ";")
        parts += [""] * (5 - len(parts))
        values = {
            key: [unescape(v).strip() for v in split_unescaped(parts[index], ",")]
            for index, key in enumerate(("family", "given", "additional", "prefix", "suffix"))
        }
        cleaned = clean_parts(values)
        if cleaned:
            return cleaned
    return None


def _read_photo(by_name: dict[str, list[Property]], notes: list[str]) -> bytes | None:
    """The first readable photo, resized; a broken one is noted and skipped."""
    for prop in _preferred_first(by_name.get("PHOTO", [])):
        if not prop.raw.strip():
            notes.append("The photo was too large to import.")
            continue
        try:
            return resize_photo(decode_photo(prop.raw, prop.param("ENCODING"), prop.param("VALUE")))
        except PhotoProblem as problem:
            notes.append(f"Photo not imported: {problem}.")
    return None


def _read_anniversary(by_name: dict[str, list[Property]], labels: dict[str, str]) -> str | None:
    """ANNIVERSARY, X-ANNIVERSARY, X-MS-ANNIVERSARY, or X-ABDATE labelled as one."""
    candidates: list[Property] = []
    for key in ("ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"):
        candidates += by_name.get(key, [])
    candidates += [p for p in by_name.get("X-ABDATE", []) if labels.get(p.group, "") in ANNIVERSARY_LABELS]
    for prop in candidates:
        parsed = parse_partial_date(unescape(decode_value(prop)), prop.param("X-APPLE-OMIT-YEAR"))
        if parsed:
            return parsed
    return None
