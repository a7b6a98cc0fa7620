"""What every planner is given: the user, their settings, the moment and their local day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..logbook.clock import local_day_end, local_moment, user_zone
from ..models import User
from ..settings import get_settings

PLAN_AHEAD_DAYS = 1  # day-level reminders are planned for today and tomorrow (local)


@dataclass
class PlanContext:
    """One user's planning inputs, read once per pass."""

    user: User
    settings: dict[str, Any]
    now: datetime
    base_url: str
    zone: ZoneInfo = field(init=False)
    today: date = field(init=False)

    def __post_init__(self) -> None:
        self.zone = user_zone(self.user)
        self.today = self.now.astimezone(self.zone).date()

    @classmethod
    def for_user(cls, user: User, now: datetime, base_url: str) -> PlanContext:
        """The context of `user` at `now`."""
        return cls(user=user, settings=get_settings(user), now=now, base_url=base_url)

    @property
    def my_emails(self) -> set[str]:
        """The user's own addresses (account and extra ones from settings)."""
        return {e.lower() for e in self.settings.get("my_emails") or []} | {
            self.user.email.lower()
        }

    def planned_days(self) -> list[date]:
        """The local days day-level reminders are planned for: today and tomorrow."""
        return [self.today + timedelta(days=n) for n in range(PLAN_AHEAD_DAYS + 1)]

    def at(self, day: date, hhmm: str) -> datetime:
        """The UTC instant of a local wall-clock time."""
        return local_moment(day, hhmm, self.zone)

    def day_end(self, day: date) -> datetime:
        """The UTC instant a local day ends."""
        return local_day_end(day, self.zone)

    def day_end_today(self) -> datetime:
        """When the user's local day turns (their next local midnight)."""
        return self.day_end(self.today)
