"""What is due, planned into the outbox: post-meeting prompts, birthdays, follow-ups, digests.

Every planner returns `Planned` rows with a natural key; `save_planned` inserts them ignoring
conflicts, so running a pass twice (or on two workers at once) never plans anything twice.
A pending row whose plan changed (a moved meeting, a new notification time) gets the new time;
a row already claimed, sent or given up on is never touched.
"""

from __future__ import annotations

import logging
from calendar import isleap
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import and_, or_, select

from .extensions import db
from .logbook.clock import user_zone
from .models import Contact, User
from .models.calendars import Meeting, MeetingAttendee
from .models.push import Notification
from .push.delivery import DeliveryRules
from .push.outbox import Planned, cancel_pending, save_planned
from .push.payload import build_payload, tag_for
from .push.timing import (
    local_day_end,
    local_moment,
    local_today,
    quiet_hours_end,
)
from .settings import get_settings

log = logging.getLogger(__name__)

PROMPT_MAX_AGE = timedelta(hours=12)  # a post-meeting prompt older than this is dropped
PLAN_AHEAD_DAYS = 1  # day-level reminders are planned for today and tomorrow (local)
MEETING_LOOKAHEAD = timedelta(days=2)


# --- post-meeting prompts -------------------------------------------------------------------


def _logbook() -> ModuleType | None:
    """The log-book context helpers, once the interactions tables exist."""
    try:
        from .push import context
    except ImportError:
        return None
    return context


def _logged_meeting_ids(user_id: int, meeting_ids: list[int]) -> set[int]:
    """Meetings that already have a log entry."""
    try:
        from .models.interactions import Interaction
    except ImportError:
        return set()
    if not meeting_ids:
        return set()
    return set(
        db.session.scalars(
            select(Interaction.meeting_id).where(
                Interaction.user_id == user_id, Interaction.meeting_id.in_(meeting_ids)
            )
        )
    )


def _declined(meeting: Any, attendees: list[Any], my_emails: set[str]) -> bool:
    """Whether the user declined (their response on the meeting, or their own attendee row)."""
    if (getattr(meeting, "my_response", None) or "").upper() == "DECLINED":
        return True
    for attendee in attendees:
        status = str(getattr(attendee, "partstat", "") or getattr(attendee, "status", "") or "")
        if (attendee.email or "").lower() in my_emails and status.upper() == "DECLINED":
            return True
    return False


def meeting_needs_prompt(meeting: Any, attendees: list[Any], my_emails: set[str]) -> bool:
    """With someone else, not cancelled, not all day, and not declined by the user."""
    return bool(
        meeting.has_others
        and meeting.status != "cancelled"
        and not meeting.all_day
        and meeting.log_skipped_at is None
        and not _declined(meeting, attendees, my_emails)
    )


def _attendees_by_meeting(meeting_ids: list[int]) -> dict[int, list[Any]]:
    if not meeting_ids:
        return {}
    grouped: dict[int, list[Any]] = {}
    for row in db.session.scalars(
        select(MeetingAttendee).where(MeetingAttendee.meeting_id.in_(meeting_ids))
    ):
        grouped.setdefault(row.meeting_id, []).append(row)
    return grouped


def _prompt_title(meeting: Any, names: list[str]) -> str:
    title = (meeting.title or "").strip()
    if title:
        return f"{title} just ended"
    if names:
        return f"Your meeting with {', '.join(names[:2])} just ended"
    return "Your meeting just ended"


def plan_meeting_prompts(
    user: User, settings: dict[str, Any], now: datetime, base_url: str
) -> list[Planned]:
    """A prompt at end + delay for each meeting that needs one; stale prompts cancelled."""
    delay = timedelta(minutes=int(settings["prompt_delay_minutes"]))
    meetings = list(
        db.session.scalars(
            select(Meeting).where(
                Meeting.user_id == user.id,
                Meeting.end_at >= now - PROMPT_MAX_AGE - delay,
                Meeting.end_at <= now + MEETING_LOOKAHEAD,
            )
        )
    )
    ids = [m.id for m in meetings]
    attendees = _attendees_by_meeting(ids)
    logged = _logged_meeting_ids(user.id, ids)
    my_emails = {e.lower() for e in settings.get("my_emails") or []} | {user.email.lower()}
    planned: list[Planned] = []
    wanted: set[int] = set()
    if settings["notify_meetings"]:
        for meeting in meetings:
            people = attendees.get(meeting.id, [])
            if meeting.id in logged or not meeting_needs_prompt(meeting, people, my_emails):
                continue
            wanted.add(meeting.id)
            planned.append(_meeting_prompt(user, meeting, people, my_emails, delay, base_url))
    _cancel_unwanted_prompts(user.id, wanted, now)
    return planned


def _meeting_prompt(
    user: User, meeting: Any, people: list[Any], my_emails: set[str], delay: timedelta,
    base_url: str,
) -> Planned:
    others = [a for a in people if (a.email or "").lower() not in my_emails]
    names = [a.name or a.email for a in others if a.name or a.email]
    contact_ids = [a.contact_id for a in others if getattr(a, "contact_id", None)]
    body = "What did you give, what did you get?"
    context = contact_context(user.id, contact_ids)
    if context:
        body = f"{body}\n{context}"
    key = f"meeting:{meeting.id}"
    due = meeting.end_at + delay
    return Planned(
        key=key, user_id=user.id, kind="meeting", subject_id=meeting.id, due_at=due,
        expires_at=due + PROMPT_MAX_AGE,
        payload=build_payload(
            kind="meeting", title=_prompt_title(meeting, names), body=body,
            url=f"/log?meeting={meeting.id}", tag=tag_for(key), base_url=base_url,
        ),
    )


def _cancel_unwanted_prompts(user_id: int, wanted: set[int], now: datetime) -> None:
    """Pending prompts whose meeting was cancelled, declined, logged or vanished."""
    pending = db.session.execute(
        select(Notification.id, Notification.subject_id).where(
            Notification.user_id == user_id,
            Notification.kind == "meeting",
            Notification.state == "pending",
        )
    ).all()
    stale = [row.id for row in pending if row.subject_id not in wanted]
    cancel_pending(stale, "the meeting no longer needs a log", now)


def meeting_prompt_reason(n: Notification, now: datetime) -> str | None:
    """At send time: why a post-meeting prompt should not go out any more, or None."""
    if n.subject_id is None:
        return None
    meeting = db.session.get(Meeting, n.subject_id)
    if meeting is None or meeting.user_id != n.user_id:
        return "the meeting is gone from the calendar"
    user = db.session.get(User, n.user_id)
    assert user is not None
    settings = get_settings(user)
    my_emails = {e.lower() for e in settings.get("my_emails") or []} | {user.email.lower()}
    people = _attendees_by_meeting([meeting.id]).get(meeting.id, [])
    if not meeting_needs_prompt(meeting, people, my_emails):
        return "the meeting no longer needs a log"
    if _logged_meeting_ids(n.user_id, [meeting.id]):
        return "the meeting was logged"
    return None


# --- context lines --------------------------------------------------------------------------


def contact_context(user_id: int, contact_ids: list[int]) -> str:
    """One line about the people: an open challenge or an open promise, when there is one."""
    logbook = _logbook()
    if not contact_ids or logbook is None:
        return ""
    return str(logbook.open_context_line(user_id, contact_ids))


# --- birthdays ------------------------------------------------------------------------------


def birthday_in_year(month: int, day: int, year: int) -> date:
    """The date a birthday is celebrated in `year` (29 February → 28 February off leap years)."""
    if month == 2 and day == 29 and not isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def _when_words(birthday: date, lead: int) -> str:
    if lead == 0:
        return "today"
    if lead == 1:
        return "tomorrow"
    if lead < 7:
        return f"on {birthday:%A}"
    return f"on {birthday:%A} {birthday.day} {birthday:%B}"


def birthday_title(contact: Contact, birthday: date, lead: int) -> str:
    """E.g. "Tom Baker turns 41 on Friday" (or "…'s birthday is tomorrow" without a year)."""
    when = _when_words(birthday, lead)
    if contact.birthday_year:
        age = birthday.year - contact.birthday_year
        if age > 0:
            return f"{contact.name} turns {age} {when}"
    return f"It's {contact.name}'s birthday {when}" if lead == 0 else (
        f"{contact.name}'s birthday is {when}"
    )


def plan_birthdays(
    user: User, settings: dict[str, Any], now: datetime, base_url: str
) -> list[Planned]:
    """Reminders `lead` days before each birthday at the user's notification time."""
    if not settings["notify_birthdays"]:
        return []
    tz = user_zone(user)
    today = local_today(now, tz)
    leads = sorted({int(d) for d in settings["birthday_lead_days"]})
    targets: dict[tuple[int, int], list[tuple[date, date, int]]] = {}
    for offset in range(PLAN_AHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        for lead in leads:
            birthday = day + timedelta(days=lead)
            entry = (day, birthday, lead)
            targets.setdefault((birthday.month, birthday.day), []).append(entry)
            if (birthday.month, birthday.day) == (2, 28) and not isleap(birthday.year):
                targets.setdefault((2, 29), []).append(entry)
    if not targets:
        return []
    contacts = db.session.scalars(
        select(Contact).where(
            Contact.user_id == user.id,
            or_(*[and_(Contact.birthday_month == m, Contact.birthday_day == d)
                  for m, d in targets]),
        )
    )
    planned = []
    for contact in contacts:
        month_day = (contact.birthday_month or 0, contact.birthday_day or 0)
        for day, birthday, lead in targets.get(month_day, []):
            planned.append(_birthday_reminder(user, contact, day, birthday, lead, settings,
                                              base_url))
    return planned


def _birthday_reminder(
    user: User, contact: Contact, day: date, birthday: date, lead: int,
    settings: dict[str, Any], base_url: str,
) -> Planned:
    tz = user_zone(user)
    key = f"birthday:{contact.id}:{birthday.isoformat()}:{lead}"
    body = contact_context(user.id, [contact.id]) or "Tap to send your wishes."
    last = last_interaction_line(user.id, contact)
    if last:
        body = f"{last}\n{body}" if body != "Tap to send your wishes." else last
    return Planned(
        key=key, user_id=user.id, kind="birthday", subject_id=contact.id,
        due_at=local_moment(day, settings["notify_time"], tz),
        expires_at=local_day_end(day, tz),
        payload=build_payload(
            kind="birthday", title=birthday_title(contact, birthday, lead), body=body,
            url=f"/people/{contact.id}", tag=tag_for(key), base_url=base_url,
        ),
    )


def last_interaction_line(user_id: int, contact: Contact) -> str:
    """"Last time: 12 Aug" from the contact's stats, with more detail when logs exist."""
    logbook = _logbook()
    text = logbook.last_interaction_text(user_id, contact.id) if logbook else ""
    if text:
        return text
    if contact.last_interaction_at is None:
        return ""
    return f"Last time: {contact.last_interaction_at:%-d %b %Y}"


# --- follow-ups, check-ins, promises --------------------------------------------------------


def plan_followups(
    user: User, settings: dict[str, Any], now: datetime, base_url: str
) -> list[Planned]:
    """One push per day listing the follow-ups, check-ins and promises due that day."""
    logbook = _logbook()
    if not settings["notify_followups"] or logbook is None:
        return []
    tz = user_zone(user)
    planned = []
    for offset in range(PLAN_AHEAD_DAYS + 1):
        day = local_today(now, tz) + timedelta(days=offset)
        key = f"followups:{user.id}:{day.isoformat()}"
        lines = logbook.due_followup_lines(user.id, day)
        if not lines:
            continue
        title = lines[0] if len(lines) == 1 else f"{len(lines)} things to follow up on today"
        body = "\n".join(lines[1:] if len(lines) == 1 else lines[:6])
        planned.append(Planned(
            key=key, user_id=user.id, kind="followup", due_at=local_moment(
                day, settings["notify_time"], tz),
            expires_at=local_day_end(day, tz),
            payload=build_payload(kind="followup", title=title, body=body or "Open Today",
                                  url="/", tag=tag_for(key), base_url=base_url),
        ))
    return planned


# --- weekly digest --------------------------------------------------------------------------


def plan_digest(
    user: User, settings: dict[str, Any], now: datetime, base_url: str
) -> list[Planned]:
    """The weekly "people to give to" push on the chosen weekday and time."""
    if not settings["digest_enabled"]:
        return []
    tz = user_zone(user)
    today = local_today(now, tz)
    day = today + timedelta(days=(int(settings["digest_weekday"]) - today.weekday()) % 7)
    if day > today + timedelta(days=PLAN_AHEAD_DAYS):
        return []
    iso = day.isocalendar()
    key = f"digest:{user.id}:{iso.year}-W{iso.week:02d}"
    if db.session.scalar(select(Notification.id).where(Notification.key == key)):
        return []  # planned already; the list is chosen once
    people = people_to_give_to(user, now)
    if not people:
        return []
    names = [p.name for p in people]
    title = ("One person to give to this week" if len(names) == 1
             else f"{['', '', 'Two', 'Three'][len(names)]} people to give to this week")
    return [Planned(
        key=key, user_id=user.id, kind="digest",
        due_at=local_moment(day, settings.get("digest_time") or settings["notify_time"], tz),
        expires_at=local_day_end(day + timedelta(days=1), tz),
        payload=build_payload(kind="digest", title=title, body=", ".join(names),
                              url="/", tag=tag_for(key), base_url=base_url),
    )]


def people_to_give_to(user: User, now: datetime, limit: int = 3) -> list[Contact]:
    """Up to three people: most overdue by cadence first, then those we took more from."""
    from .logbook.stats import contact_stats

    contacts = list(db.session.scalars(select(Contact).where(Contact.user_id == user.id)))
    if not contacts:
        return []
    stats = contact_stats(user, [c.id for c in contacts], now)
    cadence = get_settings(user)["cadence_by_kind"]

    def overdue_days(c: Contact) -> float:
        figure = stats.get(c.id, {}).get("overdue_days")
        if figure is not None:
            return float(figure)
        days = c.cadence_days or cadence.get(c.kind, 180)
        if c.last_interaction_at is None:
            return -1.0
        return (now - c.last_interaction_at).total_seconds() / 86400 - days

    scored = []
    for c in contacts:
        owed = -int(stats.get(c.id, {}).get("balance") or 0)  # took more than gave
        late = overdue_days(c)
        if late > 0 or owed > 0:
            scored.append((late > 0, late, owed, c))
    scored.sort(key=lambda s: (not s[0], -s[1], -s[2], s[3].name))
    return [s[3] for s in scored[:limit]]


# --- the pass -------------------------------------------------------------------------------


def plan_all(now: datetime, base_url: str) -> dict[str, int]:
    """Plan every user's notifications; returns counts of rows inserted."""
    figures = {"planned": 0}
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    for user_id in user_ids:
        try:
            figures["planned"] += plan_for_user(user_id, now, base_url)
        except Exception:
            log.exception("planning for user %s failed", user_id)
            db.session.rollback()
    return figures


def plan_for_user(user_id: int, now: datetime, base_url: str) -> int:
    """Plan one user's meeting prompts, birthdays, follow-ups and digest."""
    user = db.session.get(User, user_id)
    if user is None:
        return 0
    settings = get_settings(user)
    items: list[Planned] = []
    for planner in (plan_meeting_prompts, plan_birthdays, plan_followups, plan_digest):
        items.extend(planner(user, settings, now, base_url))
    return save_planned(items, now)


def send_time_reason(n: Notification, now: datetime) -> str | None:
    """At send time: a reason the row must not go out any more."""
    if n.kind == "meeting":
        return meeting_prompt_reason(n, now)
    user = db.session.get(User, n.user_id)
    if user is None:
        return "the account is gone"
    settings = get_settings(user)
    enabled = {"birthday": "notify_birthdays", "followup": "notify_followups",
               "digest": "digest_enabled"}.get(n.kind)
    if enabled and not settings[enabled]:
        return "turned off in settings"
    return None


def quiet_until(n: Notification, now: datetime) -> datetime | None:
    """When the user's quiet hours end, if `now` is inside them."""
    user = db.session.get(User, n.user_id)
    if user is None:
        return None
    settings = get_settings(user)
    return quiet_hours_end(
        now, user_zone(user), settings["quiet_hours_start"], settings["quiet_hours_end"]
    )


def delivery_rules() -> DeliveryRules:
    """The rules delivery applies at send time."""
    return DeliveryRules(still_wanted=send_time_reason, quiet_until=quiet_until)
