"""Decide what an uploaded file is before any parser sees it."""

from __future__ import annotations

import codecs
import re

from .google_csv import decode_csv, read_google_csv
from .linkedin import looks_like_linkedin, read_linkedin_csv
from .records import NotAContactsFile, ParseResult
from .vcard import read_vcards

IMPORT_MAX_BYTES = 10 * 1024 * 1024

# Formats people upload by mistake; recognised by their first bytes so nothing is unpacked.
_MAGIC = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
_VCARD_START = re.compile(rb"(?im)^[ \t]*BEGIN[ \t]*:[ \t]*VCARD")


def read_contacts_file(data: bytes, filename: str = "") -> tuple[str, ParseResult]:
    """(format, result) for a .vcf or .csv upload; NotAContactsFile when it is neither."""
    if not data.strip():
        raise NotAContactsFile("The file is empty.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise NotAContactsFile(f"This file is {what}, not a vCard (.vcf) or CSV file.", status=415)
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:65536]:
        raise NotAContactsFile("This file is binary, not a vCard (.vcf) or CSV file.", status=415)
    if filename.lower().endswith((".vcf", ".vcard")):
        return "vcard", read_vcards(data)
    head = data[:65536]
    if utf16:
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    if _VCARD_START.search(head):
        return "vcard", read_vcards(data)
    if looks_like_linkedin(decode_csv(data[:16384])):
        return "linkedin", read_linkedin_csv(data)
    return "csv", read_google_csv(data)
