"""Schemas for the Today, Habits and Person (timeline) screens."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from .calendars import MeetingSchema
from .contacts import ContactSchema
from .interactions import (
    ChallengeSchema,
    FollowUpSchema,
    InteractionSchema,
    PersonRefSchema,
    PromiseSchema,
    WinSchema,
)


def block(item_schema: type[Schema] | Schema, name: str) -> type[Schema]:
    """A capped list: `{items, total}` where total counts everything, not just the items."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "total": fields.Integer()}, name=name
    )


class BirthdaySchema(Schema):
    """A birthday ahead."""

    contact = fields.Nested(PersonRefSchema)
    on = fields.Date(metadata={"description": "The day it is celebrated (29 Feb → 28 Feb)."})
    days_until = fields.Integer()
    age = fields.Integer(allow_none=True, metadata={"description": "Only when the year is known."})


class LapsedSchema(Schema):
    """Someone whose cadence has lapsed."""

    contact = fields.Nested(PersonRefSchema)
    kind = fields.String()
    cadence_days = fields.Integer()
    last_interaction_at = fields.DateTime(allow_none=True)
    last_in_person_at = fields.DateTime(allow_none=True)
    due_on = fields.Date()
    overdue_days = fields.Integer()
    overdue_ratio = fields.Float(metadata={"description": "overdue_days / cadence_days"})


class GiveFirstSchema(Schema):
    """Someone I received more from than I gave to over 12 months."""

    contact = fields.Nested(PersonRefSchema)
    gave = fields.Integer()
    received = fields.Integer()
    balance = fields.Integer()
    last_interaction_at = fields.DateTime(allow_none=True)


class TodaySchema(Schema):
    """Everything for the Today screen; each list capped, with its full count."""

    date = fields.Date()
    timezone = fields.String()
    meetings_today = fields.Nested(block(MeetingSchema, "MeetingBlock"))
    meetings_to_log = fields.Nested(block(MeetingSchema, "MeetingToLogBlock"))
    birthdays = fields.Nested(block(BirthdaySchema, "BirthdayBlock"))
    overdue = fields.Nested(block(LapsedSchema, "OverdueBlock"))
    face_time = fields.Nested(block(LapsedSchema, "FaceTimeBlock"))
    follow_ups = fields.Nested(block(FollowUpSchema, "FollowUpBlock"))
    check_ins = fields.Nested(block(ChallengeSchema, "CheckInBlock"))
    wins = fields.Nested(block(WinSchema, "WinBlock"))
    promises = fields.Nested(block(PromiseSchema, "PromiseBlock"))
    give_first = fields.Nested(block(GiveFirstSchema, "GiveFirstBlock"))


class TodayArgsSchema(Schema):
    """How many items each Today list shows."""

    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50))


class HabitsArgsSchema(Schema):
    """The window the habits are scored over."""

    days = fields.Integer(load_default=90, validate=validate.Range(7, 365))


class NextActionSchema(Schema):
    """One concrete next step for a habit: a person, why, and how to reach them."""

    contact = fields.Nested(PersonRefSchema)
    text = fields.String(metadata={"description": "The step in a sentence, naming the person."})
    message_url = fields.String(
        allow_none=True, metadata={"description": "sms: or mailto: link, when known."}
    )


def _habit(name: str, counts: dict[str, Any]) -> type[Schema]:
    return Schema.from_dict(
        {
            "score": fields.Integer(
                allow_none=True, metadata={"description": "0–100; null: not enough yet."}
            ),
            "summary": fields.String(metadata={"description": "Where the user stands."}),
            "previous_score": fields.Integer(
                allow_none=True, metadata={"description": "The same score, period before."}
            ),
            "trend": fields.String(
                allow_none=True, metadata={"description": "up, down or steady; null unscored."}
            ),
            "next_action": fields.Nested(NextActionSchema, allow_none=True),
            **counts,
        },
        name=name,
    )


class HabitsSchema(Schema):
    """The six habits, each with its score, the counts behind it and coaching in words."""

    days = fields.Integer()
    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    overall = fields.Integer(allow_none=True, metadata={"description": "null: not enough yet."})
    previous_overall = fields.Integer(allow_none=True)
    giving = fields.Nested(
        _habit(
            "GivingHabit",
            {
                "gave": fields.Integer(),
                "received": fields.Integer(),
                "promises_made": fields.Integer(),
                "promises_kept": fields.Integer(),
                "promises_overdue": fields.Integer(),
            },
        )
    )
    empathy = fields.Nested(
        _habit(
            "EmpathyHabit",
            {
                "logs": fields.Integer(),
                "caring_logs": fields.Integer(),
                "check_ins_overdue": fields.Integer(),
                "challenges_resolved": fields.Integer(),
            },
        )
    )
    face_time = fields.Nested(
        _habit(
            "FaceTimeHabit",
            {
                "core_contacts": fields.Integer(),
                "core_tracked": fields.Integer(),
                "core_within_cadence": fields.Integer(),
                "in_person_logs": fields.Integer(),
                "core_met_in_person": fields.Integer(),
                "in_person_per_core_contact": fields.Float(allow_none=True),
            },
        )
    )
    work = fields.Nested(
        _habit(
            "WorkHabit",
            {
                "contacts": fields.Integer(),
                "tracked": fields.Integer(),
                "within_cadence": fields.Integer(),
                "overdue": fields.Integer(),
                "follow_ups_done": fields.Integer(),
                "follow_ups_overdue": fields.Integer(),
            },
        )
    )
    unique_voice = fields.Nested(
        _habit(
            "UniqueVoiceHabit",
            {
                "heard": fields.Integer(),
                "offered": fields.Integer(),
                "expected": fields.Integer(),
                "mentor_logs": fields.Integer(),
                "mentee_logs": fields.Integer(),
                "last_heard_at": fields.DateTime(allow_none=True),
                "last_offered_at": fields.DateTime(allow_none=True),
            },
        )
    )
    friendship = fields.Nested(
        _habit(
            "FriendshipHabit",
            {
                "birthdays": fields.Integer(),
                "greeted": fields.Integer(),
                "wins": fields.Integer(),
                "wins_congratulated": fields.Integer(),
            },
        )
    )


class GiveToSchema(Schema):
    """Someone to give to this week, and why."""

    contact = fields.Nested(PersonRefSchema)
    reason = fields.String(metadata={
        "description": "promise, win, challenge, birthday, drifting or balance (most pressing first)"})
    text = fields.String()
    message_url = fields.String(allow_none=True)


class WeekSchema(Schema):
    """The weekly look-back: what went well, who to give to next."""

    from_ = fields.DateTime(data_key="from", attribute="from")
    to = fields.DateTime()
    logs = fields.Integer()
    went_well = fields.List(fields.String())
    give_to = fields.List(fields.Nested(GiveToSchema))


class OnboardingStepSchema(Schema):
    """One first-run step and whether the account has really done it."""

    key = fields.String(metadata={"description": "people, calendar, reminders or first_log"})
    done = fields.Boolean()


class OnboardingSchema(Schema):
    """The first-run checklist: steps in order, and whether all are done."""

    steps = fields.List(fields.Nested(OnboardingStepSchema))
    done = fields.Boolean()


class TimelineArgsSchema(Schema):
    """Paging of the person's log."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 200))


class TimelineSchema(Schema):
    """Everything the Person screen shows, in one call."""

    contact = fields.Nested(ContactSchema)
    interactions = fields.Nested(
        Schema.from_dict(
            {
                "items": fields.List(fields.Nested(InteractionSchema)),
                "total": fields.Integer(),
                "page": fields.Integer(),
                "per_page": fields.Integer(),
            },
            name="TimelinePage",
        )
    )
    challenges = fields.List(fields.Nested(ChallengeSchema), metadata={"description": "Open."})
    wins = fields.List(fields.Nested(WinSchema), metadata={"description": "To congratulate."})
    promises = fields.List(fields.Nested(PromiseSchema), metadata={"description": "Open."})
    follow_ups = fields.List(fields.Nested(FollowUpSchema), metadata={"description": "Open."})
    next_birthday = fields.Nested(BirthdaySchema, allow_none=True)
