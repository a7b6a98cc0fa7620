"""First run: which of the four steps to a first prompt the account has really done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from .extensions import db
from .models import Contact, User
from .models.calendars import Calendar
from .models.interactions import Interaction
from .models.push import PushSubscription

# In the order the checklist shows them; each is done by what is in the database, not a tap.
STEPS = ("people", "calendar", "reminders", "first_log")


def onboarding_state(user: User) -> dict[str, Any]:
    """Each step's done flag and whether all are done, read in one statement."""
    mine = {
        "people": exists().where(Contact.user_id == user.id),
        # A calendar counts once it has synced successfully at least once.
        "calendar": exists().where(Calendar.user_id == user.id, Calendar.last_synced_at.is_not(None)),
        "reminders": exists().where(PushSubscription.user_id == user.id),
        "first_log": exists().where(Interaction.user_id == user.id),
    }
    row = db.session.execute(select(*(mine[key].label(key) for key in STEPS))).one()
    steps = [{"key": key, "done": bool(getattr(row, key))} for key in STEPS]
    return {"steps": steps, "done": all(step["done"] for step in steps)}
