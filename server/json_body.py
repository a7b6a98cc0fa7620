"""Reading JSON from outside: bounded nesting, real Unicode text, no NUL characters.

Python's parser recurses once per level (100,000 nested brackets raise RecursionError) and
accepts lone surrogates such as "\\ud800", which no database can store as UTF-8. Every JSON
body, and every uploaded backup, is read here first so both become the same clean 400/422.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from .errors import ApiError

MAX_DEPTH = 64
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# json.dumps writes NUL as \u0000; an even run of backslashes before it is text, not an escape.
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings not counted)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_DEPTH_STEP[c] for c in brackets), default=0)


def load_json_text(raw: bytes | str, what: str = "The request body") -> Any:
    """Parse JSON from outside, or raise ApiError: 400 when unreadable, 422 for bad text."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ApiError(400, f"{what} is not UTF-8 text.") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise ApiError(400, f"{what} nests deeper than {MAX_DEPTH} levels.")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ApiError(400, f"{what} is not valid JSON.") from None
    check_text(document)
    return document


def check_text(document: Any) -> None:
    """Refuse lone surrogates and NUL characters anywhere (PostgreSQL stores neither)."""
    serialised = json.dumps(document, ensure_ascii=False)
    try:
        serialised.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "Text may not contain lone surrogates (invalid Unicode).") from None
    if _ESCAPED_NUL.search(serialised):
        raise ApiError(422, "Text may not contain NUL characters.")
