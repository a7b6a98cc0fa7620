"""Reading JSON from outside: bounded nesting, real Unicode text, no NUL characters.

Python's parser recurses once per level (100,000 nested brackets raise RecursionError) and
accepts lone surrogates such as "\\ud800", which no database can store as UTF-8. Every JSON
body (Flask's JSON loader is this one) and every uploaded backup is read here, so both become
the same clean 400/422.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask.json.provider import DefaultJSONProvider

from .errors import ApiError

MAX_DEPTH = 64
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Decoded UTF-8 holds no surrogates and JSON strings no raw control characters, so both can
# only arrive as \u escapes: text without a surrogate or NUL escape needs no further look.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NUL_ESCAPE = "\\u0000"
# json.dumps writes NUL as \u0000; an even run of backslashes before it is text, not an escape.
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings not counted)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_DEPTH_STEP[c] for c in brackets), default=0)


def load_json_text(raw: bytes | str, what: str = "The request body", unreadable: int = 400) -> Any:
    """Parse JSON from outside, or raise ApiError: `unreadable` (400 for a request body, 422
    for an uploaded file) when it cannot be read, 422 for text no database can store."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise ApiError(unreadable, f"{what} is not UTF-8 text.") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting_depth(text) > MAX_DEPTH:
        raise ApiError(unreadable, f"{what} nests deeper than {MAX_DEPTH} levels.")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ApiError(unreadable, f"{what} is not valid JSON.") from None
    if _SURROGATE_ESCAPE.search(text) or _NUL_ESCAPE in text:
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


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with `loads` through the bounded reader (request.get_json too)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse like `load_json_text`; ApiError for what we refuse."""
        return load_json_text(s)
