"""The Habits screen: the last `days` days scored against the six habits, in words.

The window is (now - days, now]; the previous period is the `days` before it, scored the same
way for the trend. Each block carries `score` (0–100, or null: "not enough yet"), the counts
it comes from, `summary` (a sentence of where the user stands), `previous_score`, `trend`
(up / down / steady, a move of 5 points or more) and `next_action` (one person, why, and how
to reach them). Logs are interactions; "core" contacts are those of kind mentor, mentee,
client, peer or friend. Someone never met is never within their cadence; someone added less
than a cadence ago and not met yet is not counted at all (they are not due).

- giving: `gave` = items I gave in the window's logs (promises count once delivered),
  `received` = items I received. score = 100 · min(1, gave / received); 100 when I only
  gave; null with fewer than 3 items either way. Also promises made / kept in the window
  and open ones overdue.
- empathy: `caring_logs` = logs that noted their challenge or where I gave "listening".
  score = 100 · min(1, caring_logs / (0.5 · logs)) — noting it in half the logs is full
  marks; null with fewer than 3 logs. Also check-ins overdue and challenges resolved.
- face_time: `core_tracked` = core contacts met in person at least once, or added more than
  a cadence ago; `core_within_cadence` = those met in person within their cadence.
  score = 100 · core_within_cadence / core_tracked; null when none is tracked. Also
  in-person logs, distinct core contacts met in person, in-person logs per core contact.
- work: `tracked` = contacts in touch at least once, or added more than a cadence ago;
  `within_cadence` = those in touch within their cadence; `overdue` = tracked − within.
  score = 100 · within_cadence / tracked; null when none is tracked. Also follow-ups done in
  the window and follow-ups overdue.
- unique_voice: `heard` = logs where I received advice or feedback or met a mentor;
  `offered` = logs where I gave advice or feedback or met a mentee; `expected` = one a month
  (max(1, round(days / 30))). score = 50 · min(1, heard / expected) + 50 · min(1, offered /
  expected); null with fewer than 3 logs. Also mentor and mentee logs and the last time of
  each (within the window).
- friendship: `birthdays` celebrated in the window (up to today), `greeted` = those with a
  log with that person on the day or the day before (user's zone); `wins` that happened in
  the window and `wins_congratulated`. score = 100 · (greeted + wins_congratulated) /
  (birthdays + wins); null when there were none.

`overall` is the rounded mean of the scores that are not null, and null ("not enough yet")
until the window holds at least 5 logs and 3 habits are scored: a handful of entries says
little about habits. Scores are rounded to whole numbers (half up).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...models import User
from ..cadence import Cadences, user_cadences
from ..clock import local_today
from . import scores
from .coach import Coach, summaries, trend
from .figures import read_figures
from .friendship import birthday_figures, friendship_first_day

MIN_LOGS_FOR_OVERALL = 5
MIN_SCORED_FOR_OVERALL = 3


def score_window(
    user: User, now: datetime, days: int, past: bool = False, cadences: Cadences | None = None
) -> dict[str, dict[str, Any]]:
    """The six blocks (score and counts) for the `days` days ending at `now`.

    `past`: `now` is an earlier moment, so cadence clocks are read from the log as they
    stood then rather than from the contacts' current last-seen times. `cadences`: the
    user's, when the caller has read them already.
    """
    start = now - timedelta(days=days)
    today = local_today(user, now)
    first = friendship_first_day(user, start, today)
    figures = read_figures(user, start, now, today, first, cadences or user_cadences(user), past)
    birthdays, greeted = birthday_figures(user, start, now, today, first)
    return {
        "giving": scores.giving(figures),
        "empathy": scores.empathy(figures),
        "face_time": scores.face_time(figures),
        "work": scores.work(figures),
        "unique_voice": scores.unique_voice(figures, days),
        "friendship": scores.friendship(figures, birthdays, greeted),
    }


def overall_score(blocks: dict[str, dict[str, Any]]) -> int | None:
    """The mean of the habits scored, once there is enough to say it (see above)."""
    found = [b["score"] for b in blocks.values() if b["score"] is not None]
    if blocks["empathy"]["logs"] < MIN_LOGS_FOR_OVERALL or len(found) < MIN_SCORED_FOR_OVERALL:
        return None
    return scores.half_up(sum(found) / len(found))


def build_habits(user: User, now: datetime, days: int = 90) -> dict[str, Any]:
    """All six habit blocks for the window of `days` days ending at `now`, with coaching."""
    cadences = user_cadences(user)  # read once for both windows and the coach
    blocks = score_window(user, now, days, cadences=cadences)
    before = score_window(user, now - timedelta(days=days), days, past=True, cadences=cadences)
    words = summaries(blocks, days)
    steps = Coach(user, now, local_today(user, now), cadences).next_actions(blocks)
    for key, block in blocks.items():
        block["summary"] = words[key]
        block["previous_score"] = before[key]["score"]
        block["trend"] = trend(block["score"], before[key]["score"])
        block["next_action"] = steps[key]
    return {
        "days": days,
        "from": now - timedelta(days=days),
        "to": now,
        "overall": overall_score(blocks),
        "previous_overall": overall_score(before),
        **blocks,
    }
