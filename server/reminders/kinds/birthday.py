"""Birthday reminders `lead` days before, at the user's notification time."""

from __future__ import annotations

from calendar import isleap
from datetime import date, timedelta

from marshmallow import fields, validate
from sqlalchemy import and_, or_, select

from ...extensions import db
from ...logbook.birthdays import birthday_in
from ...models import Contact
from ...push.outbox import Planned
from ...push.payload import build_payload, tag_for
from ..context import WITHOUT_ADDRESSES, PlanContext
from ..lines import contact_context, last_interaction_line
from ..registry import HOUR, Kind, Option, register


def birthday_in_year(month: int, day: int, year: int) -> date:
    """The date a birthday is celebrated in `year` (29 February → 28 February off leap years)."""
    return birthday_in(year, month, day)


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


def plan_birthdays(ctx: PlanContext) -> list[Planned]:
    """Reminders `lead` days before each birthday at the user's notification time."""
    leads = sorted({int(d) for d in ctx.settings["birthday_lead_days"]})
    targets: dict[tuple[int, int], list[tuple[date, date, int]]] = {}
    for day in ctx.planned_days():
        for lead in leads:
            birthday = day + timedelta(days=lead)
            entry = (day, birthday, lead)
            targets.setdefault((birthday.month, birthday.day), []).append(entry)
            if (birthday.month, birthday.day) == (2, 28) and not isleap(birthday.year):
                targets.setdefault((2, 29), []).append(entry)
    if not targets:
        return []
    contacts = db.session.scalars(
        select(Contact)
        .where(
            Contact.user_id == ctx.user.id,
            or_(*[and_(Contact.birthday_month == m, Contact.birthday_day == d)
                  for m, d in targets]),
        )
        .options(*WITHOUT_ADDRESSES)
    )
    return [
        _reminder(ctx, contact, day, birthday, lead)
        for contact in contacts
        for day, birthday, lead in targets.get(
            (contact.birthday_month or 0, contact.birthday_day or 0), []
        )
    ]


def _reminder(ctx: PlanContext, contact: Contact, day: date, birthday: date, lead: int) -> Planned:
    key = f"birthday:{contact.id}:{birthday.isoformat()}:{lead}"
    body = contact_context(ctx.user.id, [contact.id]) or "Tap to send your wishes."
    last = last_interaction_line(ctx.user.id, contact)
    if last:
        body = f"{last}\n{body}" if body != "Tap to send your wishes." else last
    return Planned(
        key=key, user_id=ctx.user.id, kind=KIND.name, subject_id=contact.id,
        due_at=ctx.at(day, ctx.settings["notify_time"]),
        expires_at=ctx.day_end(day),
        payload=build_payload(
            kind=KIND.name, title=birthday_title(contact, birthday, lead), body=body,
            url=f"/people/{contact.id}", tag=tag_for(key), base_url=ctx.base_url,
        ),
    )


KIND = register(Kind(
    name="birthday",
    label="Before birthdays",
    plan=plan_birthdays,
    key_pattern="birthday:<contact id>:<date>:<lead days>",
    ttl=12 * HOUR,
    setting="notify_birthdays",
    options=(Option(
        "birthday_lead_days", [7, 1, 0],
        fields.List(fields.Integer(validate=validate.Range(0, 60)),
                    validate=validate.Length(max=5)),
        "Days ahead", widget="days", hint="e.g. 7, 1, 0 — 0 is the morning of the day.",
    ),),
    position=30,
))
