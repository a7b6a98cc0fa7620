"""Google Contacts CSV (current and legacy header layouts), plus the common Outlook columns."""

from __future__ import annotations

import codecs
import csv
import io
import re

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
    parse_partial_date,
    phone_key,
)

# Google puts several values in one cell separated by this.
MULTI_SEPARATOR = " ::: "
CELL_MAX_CHARS = 256 * 1024
SYSTEM_LABELS = frozenset({"mycontacts", "my contacts", "starred", "friends", "family", "coworkers"})
# `* myContacts` / `* starred` are Google's own groups; `* Family` etc. are the old system
# groups shown to the user, which are worth keeping as tags.
_KEEP_STARRED = frozenset({"friends", "family", "coworkers"})

_NUMBERED = re.compile(
    r"^(?P<kind>e-mail|phone|website|event|organization|relation)\s+(?P<n>\d+)\s+-\s+"
    r"(?P<part>label|type|value|name|title)$",
    re.IGNORECASE,
)

# Header names → our field. Google (both layouts) first, then Outlook's export.
_SINGLE = {
    "name": "name",
    "display name": "name",
    "first name": "given",
    "given name": "given",
    "middle name": "middle",
    "additional name": "middle",
    "last name": "family",
    "family name": "family",
    "name prefix": "prefix",
    "title": "prefix",  # Outlook calls the prefix "Title"
    "name suffix": "suffix",
    "suffix": "suffix",
    "nickname": "nickname",
    "organization name": "company",
    "company": "company",
    "organization title": "title",
    "job title": "title",
    "birthday": "birthday",
    "anniversary": "anniversary",
    "notes": "notes",
    "labels": "labels",
    "group membership": "labels",
    "categories": "labels",
    "e-mail address": "email",
    "e-mail 2 address": "email",
    "e-mail 3 address": "email",
    "email": "email",
    "email address": "email",
    "mobile phone": "phone",
    "primary phone": "phone",
    "business phone": "phone",
    "home phone": "phone",
    "phone": "phone",
    "web page": "url",
    "website": "url",
}


def read_google_csv(data: bytes) -> ParseResult:
    """Read each row as a contact; raise NotAContactsFile when the header is not a contacts CSV."""
    text = decode_csv(data)
    csv.field_size_limit(CELL_MAX_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise NotAContactsFile("This CSV file has no header row.") from exc
    columns = _map_columns(header)
    if not columns:
        raise NotAContactsFile("This CSV file is not a contacts export: no Name, E-mail or Phone column.")
    result = ParseResult()
    position = 0
    while True:
        position += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(CardError(position, "", f"This row could not be read: {exc}."))
            continue
        if not any(cell.strip() for cell in row):
            position -= 1
            continue
        try:
            record = _row_to_record(position, row, columns)
        except _RowProblem as problem:
            result.errors.append(CardError(position, problem.name, str(problem)))
            continue
        result.records.append(record)
    return result


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _Columns(dict[str, list[int]]):
    """Field → column indexes; numbered groups keep (label index, value index) pairs."""

    groups: dict[str, list[tuple[int | None, int | None]]]


def _map_columns(header: list[str]) -> _Columns:
    columns = _Columns()
    columns.groups = {}
    numbered: dict[tuple[str, int], dict[str, int]] = {}
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff").strip().lower()
        match = _NUMBERED.match(name)
        if match:
            key = (match["kind"].lower(), int(match["n"]))
            part = match["part"].lower()
            numbered.setdefault(key, {})["label" if part in ("label", "type") else part] = index
            continue
        field_name = _SINGLE.get(name)
        if field_name:
            columns.setdefault(field_name, []).append(index)
    for (kind, _n), parts in sorted(numbered.items()):
        if kind == "organization":
            if "name" in parts:
                columns.setdefault("company", []).append(parts["name"])
            if "title" in parts:
                columns.setdefault("title", []).append(parts["title"])
            continue
        columns.groups.setdefault(kind, []).append((parts.get("label"), parts.get("value")))
    useful = {"name", "given", "family", "email", "phone", "company"}
    if not (useful & set(columns)) and not ({"e-mail", "phone"} & set(columns.groups)):
        return _Columns()
    return columns


class _RowProblem(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index]


def _first(row: list[str], columns: _Columns, field_name: str) -> str:
    for index in columns.get(field_name, []):
        value = _cell(row, index).strip()
        if value:
            return value
    return ""


def _multi(value: str) -> list[str]:
    return [v.strip() for v in value.split(":::") if v.strip()]


def _labelled(row: list[str], columns: _Columns, kind: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a numbered group, primary (`* Work`) first, cells split on :::."""
    primary: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for label_index, value_index in columns.groups.get(kind, []):
        label = _cell(row, label_index).strip()
        for value in _multi(_cell(row, value_index)):
            (primary if label.startswith("*") else rest).append((label.lstrip("* ").strip(), value))
    return primary + rest


def _row_to_record(position: int, row: list[str], columns: _Columns) -> ContactRecord:
    record = ContactRecord(position)
    for _label, value in _labelled(row, columns, "e-mail"):
        add_unique(record.emails, normalize_email(value), EMAILS_PER_CONTACT_MAX)
    for index in columns.get("email", []):
        for value in _multi(_cell(row, index)):
            add_unique(record.emails, normalize_email(value), EMAILS_PER_CONTACT_MAX)
    for _label, value in _labelled(row, columns, "phone"):
        add_unique(record.phones, normalize_phone(value), PHONES_PER_CONTACT_MAX, key=phone_key)
    for index in columns.get("phone", []):
        for value in _multi(_cell(row, index)):
            add_unique(record.phones, normalize_phone(value), PHONES_PER_CONTACT_MAX, key=phone_key)
    record.name = _row_name(row, columns, record.emails)
    if not record.name:
        raise _RowProblem("", "This row has no name and no e-mail address.")
    if len(record.name) > NAME_MAX:
        raise _RowProblem(record.name[:80], "The name is longer than 200 characters.")
    record.company = clean_line(_first(row, columns, "company"), COMPANY_MAX)
    record.title = clean_line(_first(row, columns, "title"), TITLE_MAX)
    websites = [value for _label, value in _labelled(row, columns, "website")]
    record.url = clean_line(_first(row, columns, "url") or (websites[0] if websites else ""), URL_MAX)
    notes = [clean_text(_first(row, columns, "notes"), NOTES_MAX)]
    for index in columns.get("labels", []):
        for label in _multi(_cell(row, index)):
            starred = label.startswith("*")
            tag = clean_line(label.lstrip("* ").strip(), TAG_MAX)
            if not tag or (starred and tag.lower() not in _KEEP_STARRED):
                continue
            if tag.lower() in SYSTEM_LABELS and tag.lower() not in _KEEP_STARRED:
                continue
            add_unique(record.tags, tag, TAGS_PER_CONTACT_MAX, key=str.casefold)
    birthday = clean_line(_first(row, columns, "birthday"), 100)
    if birthday:
        record.birthday = parse_partial_date(birthday)
        if record.birthday is None:
            notes.append(f"Birthday: {birthday}")
    anniversary = _first(row, columns, "anniversary")
    for label, value in _labelled(row, columns, "event"):
        if label.lower() == "anniversary" and not anniversary:
            anniversary = value
    if anniversary:
        record.anniversary = parse_partial_date(anniversary)
    record.notes = clean_text("\n\n".join(n for n in notes if n), NOTES_MAX)
    return record


def _row_name(row: list[str], columns: _Columns, emails: list[str]) -> str:
    """The Name column (legacy), else prefix + given + middle + family + suffix, else fallbacks."""
    name = clean_line(_first(row, columns, "name"), NAME_MAX + 1)
    if name:
        return name
    parts = [_first(row, columns, key) for key in ("prefix", "given", "middle", "family", "suffix")]
    name = clean_line(" ".join(p for p in parts if p), NAME_MAX + 1)
    if name:
        return name
    for key in ("nickname", "company"):
        name = clean_line(_first(row, columns, key), NAME_MAX)
        if name:
            return name
    return emails[0] if emails else ""
