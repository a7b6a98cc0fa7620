"""Dashboard answers (Today, Habits) kept per user until a write changes what they show.

Both read models are recomputed from the whole log on every request, which for a large
account costs far more than the request around it. An answer is kept, as the JSON sent, and
served again while all of these still hold:

- the user's replan mark has the version it was built at. Every write that changes what is
  due — a log, an item, a challenge, a win, a contact or an address, a meeting, the user's
  settings — bumps it in the same transaction, from whichever process makes the write, so a
  web process reading the version from the database never serves an answer older than the
  last committed write (several web processes each keep their own answers);
- it is the same local day for the user;
- it is younger than `FRESH_FOR`: both read models also move with the clock (a meeting
  ends, an old log leaves the 90-day window), so a quiet account is recomputed every so often.

The version is read before the answer is built, so a write that commits during the build
leaves the answer under the older version, where it is never served again. Answers are keyed
by the user's id and creation time (an id can be reused after an account is deleted), the
read model and its arguments. Each answer says whether it came from the cache in a
`Cache-Status` header (RFC 9211), which the benchmark counts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app
from marshmallow import Schema
from sqlalchemy import select

from ..extensions import db
from ..logbook.bound import USER_ID
from ..logbook.clock import local_today
from ..models import User
from ..models.planning import ReplanMark

FRESH_FOR = timedelta(seconds=60)
MAX_ANSWERS = 4096  # LRU bound: a few hundred bytes to a few KB each
CACHE_NAME = "Rapport"


@dataclass(frozen=True)
class Answer:
    """One kept answer and what it was built from."""

    version: int
    day: date
    built_at: datetime
    body: bytes


class AnswerCache:
    """The answers of one web process, least recently used dropped first."""

    def __init__(self, max_answers: int = MAX_ANSWERS) -> None:
        self.max_answers = max_answers
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        """The answer kept under `key`, marked as recently used."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        """Keep `answer` under `key`, dropping the least recently used beyond the bound."""
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.max_answers:
                self._answers.popitem(last=False)


def init_app(app: Flask) -> None:
    """Give the app its own answer cache."""
    app.extensions["answer_cache"] = AnswerCache()


_MARK_VERSION = select(ReplanMark.version).where(ReplanMark.user_id == USER_ID)


def mark_version(user_id: int) -> int | None:
    """The user's replan mark version (None: no mark yet, so nothing is cached)."""
    return db.session.scalar(_MARK_VERSION, {"user_id": user_id})


def cached_answer(
    user: User,
    name: str,
    args: tuple[Hashable, ...],
    now: datetime,
    schema: Schema,
    build: Callable[[], Any],
) -> Response:
    """The JSON response of read model `name` for `user`: kept, or built, dumped and kept."""
    cache: AnswerCache = current_app.extensions["answer_cache"]
    version = mark_version(user.id)  # before building: see the module docstring
    day = local_today(user, now)
    key = (user.id, user.created_at, name, args)
    kept = cache.get(key)
    if (
        kept is not None
        and kept.version == version
        and kept.day == day
        and kept.built_at <= now < kept.built_at + FRESH_FOR
    ):
        return _response(kept.body, "hit")
    body = current_app.json.dumps(schema.dump(build()), separators=(",", ":")).encode()
    if version is not None:
        cache.put(key, Answer(version, day, now, body))
    return _response(body, "fwd=miss; stored" if version is not None else "fwd=miss")


def _response(body: bytes, status: str) -> Response:
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Status"] = f"{CACHE_NAME}; {status}"
    return response
