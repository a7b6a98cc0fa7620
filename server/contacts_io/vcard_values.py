"""vCard property values: quoted-printable, each property's own ENCODING and CHARSET, and
text escapes."""

from __future__ import annotations

import codecs

from .vcard_lines import Property


def decode_quoted_printable(raw: bytes) -> bytes:
    """Lenient quoted-printable: `=XX` decoded, soft breaks removed, stray `=` kept."""
    out = bytearray()
    index = 0
    length = len(raw)
    while index < length:
        byte = raw[index]
        if byte == 0x3D:  # '='
            pair = raw[index + 1 : index + 3]
            if len(pair) == 2 and all(c in b"0123456789ABCDEFabcdef" for c in pair):
                out.append(int(pair, 16))
                index += 3
                continue
            # a soft break left behind by unfolding ends with '=' followed by the next piece
            index += 1
            continue
        out.append(byte)
        index += 1
    return bytes(out)


def decode_value(prop: Property) -> str:
    """The property value as text, after its ENCODING and CHARSET."""
    raw = prop.raw
    if any(e.upper() == "QUOTED-PRINTABLE" for e in prop.params.get("ENCODING", [])):
        raw = decode_quoted_printable(raw)
    charset = (prop.param("CHARSET") or "").strip().lower()
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = ""
    if charset:
        text = raw.decode(charset, errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    return text.replace("\ufffd", "")


def unescape(text: str) -> str:
    """Undo vCard text escapes: `\\n` `\\,` `\\;` `\\:` `\\\\`."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            out.append("\n" if nxt in "nN" else nxt)
            index += 2
            continue
        out.append(ch)
        index += 1
    return "".join(out)


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is not backslash-escaped; parts keep their escapes."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if ch == "\\" and index + 1 < len(text):
            current.append(text[index : index + 2])
            index += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        index += 1
    parts.append("".join(current))
    return parts
