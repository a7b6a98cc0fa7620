"""calendars models (filled in by their feature)."""

from __future__ import annotations
