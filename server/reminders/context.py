"""What every planner is given: the user, their settings, the moment and their local day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..logbook.clock import local_day_end, local_moment, user_zone
from ..models import Contact, User
from ..models.calendars import Meeting
from ..settings import get_settings

PLAN_AHEAD_DAYS = 1  # day-level reminders are planned for today and tomorrow (local)
# How far around now the user's meetings are read for the planners (prompts after meetings
# reach back, briefs before them look ahead): one load serves them all.
MEETINGS_BACK = timedelta(hours=14)
MEETINGS_AHEAD = timedelta(days=2)
# Planners that read contacts for their names and dates, not their addresses and tags: those
# are left to load only if touched, instead of two more statements per user.
WITHOUT_ADDRESSES = (lazyload(Contact.email_rows), lazyload(Contact.tag_rows))


@dataclass
class PlanContext:
    """One user's planning inputs, read once per pass."""

    user: User
    settings: dict[str, Any]
    now: datetime
    base_url: str
    zone: ZoneInfo = field(init=False)
    today: date = field(init=False)
    _meetings: tuple[timedelta, timedelta, list[Meeting]] | None = field(init=False, default=None)

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

    def meetings_near(self, back: timedelta, ahead: timedelta) -> list[Meeting]:
        """The user's meetings that end at or after `now - back` and start at or before
        `now + ahead`, by start: read once (as far as MEETINGS_BACK / MEETINGS_AHEAD reach, or
        further when asked) for every planner that needs them."""
        if self._meetings is None or back > self._meetings[0] or ahead > self._meetings[1]:
            reach_back, reach_ahead = max(back, MEETINGS_BACK), max(ahead, MEETINGS_AHEAD)
            loaded = list(db.session.scalars(
                select(Meeting)
                .where(
                    Meeting.user_id == self.user.id,
                    Meeting.end_at >= self.now - reach_back,
                    Meeting.start_at <= self.now + reach_ahead,
                )
                .order_by(Meeting.start_at, Meeting.id)
            ))
            self._meetings = (reach_back, reach_ahead, loaded)
        return [
            m for m in self._meetings[2]
            if m.end_at >= self.now - back and m.start_at <= self.now + ahead
        ]
