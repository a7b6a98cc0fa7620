"""calendars API (filled in by its feature)."""

from __future__ import annotations

blp = None
