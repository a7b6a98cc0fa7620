"""The test push from settings: sent at once by the API, never planned by the pass."""

from __future__ import annotations

from ..registry import HOUR, Kind, register

KIND = register(Kind(
    name="test",
    label="",
    key_pattern="test:<user id>:<random>",
    ttl=HOUR,
    urgency="high",
    position=1000,
))
