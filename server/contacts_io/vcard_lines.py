"""vCard content lines: unfolding (quoted-printable soft breaks included), parameters, and
cards by BEGIN/END. Reading a property's value is `.vcard_values`."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .photos import PHOTO_MAX_BYTES

# Properties whose values are never read; they are skipped undecoded, whatever their size.
BINARY_PROPERTIES = frozenset({"LOGO", "SOUND", "KEY", "X-MS-OL-DESIGN", "AGENT"})
# The photo is read up to PHOTO_MAX_BYTES; a larger one is dropped (its card is kept).
PHOTO = "PHOTO"
# A text value longer than this (before decoding) makes its card an error, not a contact.
PROPERTY_MAX_BYTES = 256 * 1024
# Properties read per card; beyond it the card is refused (a hostile file, not a person).
PROPERTIES_PER_CARD_MAX = 5_000
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
_LINE_SPLIT = re.compile(rb"\r\n|\r|\n")
_NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")


@dataclass
class Property:
    """One content line: `group.NAME;params:value`, value still raw bytes."""

    group: str
    name: str
    params: dict[str, list[str]]
    raw: bytes
    too_long: bool = False

    def param(self, key: str) -> str | None:
        """First value of a parameter, or None."""
        values = self.params.get(key)
        return values[0] if values else None

    @property
    def types(self) -> set[str]:
        """TYPE values, upper-cased (`pref` included when PREF is given any way)."""
        found = {t.upper() for t in self.params.get("TYPE", [])}
        if "PREF" in self.params:
            found.add("PREF")
        return found


@dataclass
class Card:
    position: int
    version: str = "3.0"
    props: list[Property] = field(default_factory=list)
    overflow: bool = False


def to_utf8_bytes(data: bytes) -> bytes:
    """Drop a UTF-8 BOM; re-encode UTF-16 files so the rest works on ASCII-compatible bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data


def _is_quoted_printable(header: bytes) -> bool:
    return b"QUOTED-PRINTABLE" in header.upper()


def logical_lines(data: bytes) -> Iterator[bytes]:
    """Unfold continuation lines (space/tab) and quoted-printable soft breaks (`=` at end)."""
    data = data.replace(b"\r\r\n", b"\r\n")  # some iOS exports double the CR
    pieces: list[bytes] = []
    size = 0
    keep = True  # False once a value is known to be skipped (binary) or too long
    limit = PROPERTY_MAX_BYTES
    is_photo = False
    qp_open = False
    is_qp = False
    for raw in _LINE_SPLIT.split(data):
        if pieces and qp_open:
            qp_open = raw.endswith(b"=")
            if keep:
                pieces[-1] = pieces[-1][:-1]  # drop the soft break's '='
                pieces.append(raw)
                size += len(raw)
            continue
        if raw[:1] in (b" ", b"\t") and pieces:
            if keep:
                pieces.append(raw[1:])
                size += len(raw) - 1
                if size > limit:
                    keep = False
                    # An oversized photo is dropped quietly; other values mark their card.
                    pieces = [pieces[0].split(b":", 1)[0] + b":"] if is_photo else pieces + [b"\x00TOO-LONG"]
            qp_open = is_qp and raw.endswith(b"=")
            continue
        if not raw.strip():
            continue
        if pieces:
            yield b"".join(pieces)
        head = raw.split(b":", 1)[0]
        name = head.split(b";", 1)[0].rsplit(b".", 1)[-1].strip().upper().decode("ascii", "replace")
        is_photo = name == PHOTO
        limit = PHOTO_MAX_BYTES if is_photo else PROPERTY_MAX_BYTES
        keep = name not in BINARY_PROPERTIES
        pieces = [raw if keep else head + b":"]
        size = len(raw)
        if keep and size > limit:
            keep = False
            pieces = [head + b":"] if is_photo else [raw[:limit], b"\x00TOO-LONG"]
        is_qp = _is_quoted_printable(head)
        qp_open = is_qp and raw.endswith(b"=")
    if pieces:
        yield b"".join(pieces)


def _split_header(line: bytes) -> tuple[bytes, bytes] | None:
    """Split at the first colon outside a double-quoted parameter value."""
    colon = line.find(b":")
    if colon < 0:
        return None
    if line.find(b'"', 0, colon) < 0:
        return line[:colon], line[colon + 1 :]
    in_quote = False
    for index, byte in enumerate(line):
        if byte == 0x22:
            in_quote = not in_quote
        elif byte == 0x3A and not in_quote:
            return line[:index], line[index + 1 :]
    return None


def _parse_property(line: bytes) -> Property | None:
    """Parse one logical line; None when it is not a content line."""
    too_long = line.endswith(b"\x00TOO-LONG")
    if too_long:
        line = line[: -len(b"\x00TOO-LONG")]
    parts = _split_header(line)
    if parts is None:
        return None
    header, value = parts
    head = header.decode("utf-8", errors="replace")
    chunks = _split_params(head)
    group, _, name = chunks[0].strip().rpartition(".")
    name = name.strip().upper()
    if not name or len(name) > 64 or not _NAME_RE.match(name):
        return None
    params: dict[str, list[str]] = {}
    for chunk in chunks[1:]:
        key, sep, val = chunk.partition("=")
        key = key.strip().upper()
        if not sep:  # vCard 2.1 bare parameter: `TEL;CELL;PREF:`
            params.setdefault("ENCODING" if key in _BARE_ENCODINGS else "TYPE", []).append(key)
            continue
        for item in _split_param_values(val):
            params.setdefault(key, []).append(item)
    if "PREF" in params.get("TYPE", []) or any(t.lower() == "pref" for t in params.get("TYPE", [])):
        params.setdefault("PREF", ["1"])
    return Property(group.strip().lower(), name, params, value, too_long)


def _split_params(head: str) -> list[str]:
    """Split the header at semicolons outside quotes."""
    if '"' not in head:
        return head.split(";")
    out: list[str] = []
    current: list[str] = []
    in_quote = False
    for ch in head:
        if ch == '"':
            in_quote = not in_quote
            current.append(ch)
        elif ch == ";" and not in_quote:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


def _split_param_values(value: str) -> list[str]:
    """`a,b` or `"a,b"` into values, quotes removed."""
    value = value.strip()
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return [value[1:-1]]
    return [v.strip().strip('"') for v in value.split(",") if v.strip()]


def split_cards(lines: Iterator[bytes]) -> Iterator[Card]:
    """Group content lines into cards by BEGIN/END; properties outside a card are ignored."""
    card: Card | None = None
    depth = 0
    position = 0
    last_name = ""
    for line in lines:
        prop = _parse_property(line)
        if prop is None:
            continue
        value = prop.raw.strip().upper()
        if prop.name == "BEGIN" and value == b"VCARD":
            if card is not None and last_name == "AGENT":
                depth += 1  # vCard 2.1 embeds an AGENT's card inline; skip it
                continue
            if card is not None:
                yield card  # the previous card never ended: keep what it had
            position += 1
            card = Card(position)
            depth = 1
            last_name = ""
            continue
        if prop.name == "END" and value == b"VCARD":
            if depth > 1:
                depth -= 1
                continue
            if card is not None:
                yield card
            card, depth = None, 0
            continue
        if card is None or depth > 1:
            continue
        last_name = prop.name
        if prop.name == "VERSION":
            card.version = prop.raw.decode("ascii", "replace").strip()
        elif len(card.props) < PROPERTIES_PER_CARD_MAX:
            card.props.append(prop)
        else:
            card.overflow = True
    if card is not None:
        yield card
