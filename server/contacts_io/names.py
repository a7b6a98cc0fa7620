"""Structured names: the vCard N parts (family; given; additional; prefix; suffix), read from
a card or guessed from a display name, and the sort key and initials they give.

Each part is a list (vCard allows several values, e.g. two additional names), so a card's N
comes back out exactly as it went in. "Smith, John" is read as family Smith, given John.
Honorifics ("Dr.", "Mr.") and suffixes ("Jr.", "PhD") never lead the sort or the initials.
"""

from __future__ import annotations

import re
from typing import Any

PARTS = ("family", "given", "additional", "prefix", "suffix")
PART_MAX = 100  # characters per value; a name is at most 200 in all
PREFIXES = frozenset({
    "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev", "fr", "lord", "lady",
    "hon", "capt", "col", "gen", "judge",
})
SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "dds", "esq", "mba", "cpa", "obe", "mbe",
    "cbe", "kc", "qc", "jd",
})
# "Acme, Inc." is a company, not family Acme.
COMPANY_WORDS = frozenset({
    "inc", "ltd", "llc", "gmbh", "co", "corp", "plc", "ag", "sa", "bv", "oy", "ab", "kg",
})
_SPACES = re.compile(r"\s+")

NameParts = dict[str, list[str]]


def _word(value: str) -> str:
    return value.casefold().strip(".")


def empty_parts() -> NameParts:
    """No part known."""
    return {key: [] for key in PARTS}


def clean_parts(parts: Any) -> NameParts | None:
    """Parts as stored: the five keys, lists of trimmed non-empty strings; None when empty."""
    if not isinstance(parts, dict):
        return None
    out = empty_parts()
    for key in PARTS:
        values = parts.get(key) or []
        if isinstance(values, str):
            values = [values]
        out[key] = [
            _SPACES.sub(" ", str(v)).strip()[:PART_MAX] for v in values if str(v).strip()
        ][:5]
    return out if any(out.values()) else None


def parse_display_name(name: str) -> NameParts | None:
    """Guess the parts of a display name: 'Dr. Jane A. Doe Jr.', 'Doe, Jane', 'Priya'."""
    text = _SPACES.sub(" ", name).strip()
    if not text or "@" in text:
        return None
    parts = empty_parts()
    if "," in text:
        before, after = (s.strip() for s in text.split(",", 1))
        after_words = after.replace(",", " ").split()
        before_words = before.split()
        family_first = (
            0 < len(before_words) <= 2
            and not any(_word(w) in PREFIXES for w in before_words)
            and 0 < len(after_words) <= 3
        )
        if family_first and not all(_word(w) in SUFFIXES | COMPANY_WORDS for w in after_words):
            parts["family"] = [before]
            rest = _split_words(after_words, parts)
            parts["given"] = rest[:1]
            parts["additional"] = [" ".join(rest[1:])] if rest[1:] else []
            return clean_parts(parts)
        if before and after_words and all(_word(w) in COMPANY_WORDS for w in after_words):
            return None  # a company name
        text = text.replace(",", " ")
    rest = _split_words(text.split(), parts)
    if len(rest) == 1:
        parts["given"] = rest
    elif rest:
        parts["given"], parts["family"] = rest[:1], rest[-1:]
        if rest[1:-1]:
            parts["additional"] = [" ".join(rest[1:-1])]
    return clean_parts(parts)


def _split_words(words: list[str], parts: NameParts) -> list[str]:
    """Take honorifics off the front and suffixes off the end into `parts`; the rest."""
    words = list(words)
    while len(words) > 1 and _word(words[0]) in PREFIXES:
        parts["prefix"].append(words.pop(0))
    while len(words) > 1 and _word(words[-1]) in SUFFIXES:
        parts["suffix"].insert(0, words.pop())
    return words


def display_name(parts: NameParts) -> str:
    """'Mr. John Richter James Doe Sr.' from the parts."""
    order = ("prefix", "given", "additional", "family", "suffix")
    return " ".join(v for key in order for v in parts.get(key, []) if v)


def sort_name(parts: NameParts | None, name: str) -> str:
    """The key people are sorted by: the name as shown, less honorifics, case-folded.

    Given, additional, family: the order the list shows names in, so "Dr. Zoe Adams" sorts
    under Z and "Smith, John" under J (John Smith).
    """
    if parts:
        key = " ".join(parts["given"] + parts["additional"] + parts["family"]).casefold()
        if key.strip():
            return key.strip()[:200]
    return _SPACES.sub(" ", name).strip().casefold()[:200]


def initials(parts: NameParts | None, name: str) -> str:
    """Given and family initials ('JD' for Dr. John Doe), else the name's first letters."""
    if parts:
        letters = [p[0][0] for p in (parts["given"], parts["family"]) if p and p[0]]
        if letters:
            return "".join(letters).upper()
    words = name.split()
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()
