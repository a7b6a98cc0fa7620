"""The send-time rules and delivery cost a fixed number of SQL statements per claimed batch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from server.calendars.matching import load_name_index, match_attendees
from server.extensions import db
from server.models.calendars import Meeting
from server.models.push import Notification
from server.push.delivery import CLAIM_BATCH, deliver_due
from server.reminders.planning import delivery_rules, plan_for_user
from tests.push.helpers import fixed
from tests.reminders.conftest import BASE

NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, *_):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _with_a_friend(person, start, meeting, make_contact):
    meeting(person, start, people=[("friend@example.org", "A Friend", None)])


def _naming_a_contact(person, start, meeting, make_contact):
    """A feed meeting without attendees whose title names one of the user's people."""
    make_contact(person, name="Raj Patel")
    mid = meeting(person, start, title="Lunch with Raj Patel")
    with db.session.begin():
        match_attendees(person.id, [db.session.get(Meeting, mid)], load_name_index(person.id))


def _statements_to_deliver(app, make_user, meeting, add_device, push_ctx, users, start,
                           make_contact=None, kind_of_meeting=_with_a_friend):
    """Plan one post-meeting prompt for each of `users` new users, then count the statements
    one delivery pass takes to send them all."""
    ids = []
    for _ in range(users):
        person = make_user()
        add_device(person.id)
        with app.app_context():
            kind_of_meeting(person, start, meeting, make_contact)
        ids.append(person.id)
    due = start + timedelta(minutes=35)
    with app.app_context():
        for uid in ids:
            plan_for_user(uid, start, BASE)
        db.session.commit()
        with counted() as statements:
            counts = deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
        sent = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id.in_(ids), Notification.kind == "meeting",
            Notification.state == "sent"))
    assert counts == {"sent": users} and sent == users
    return len(statements)


def test_statements_per_batch_do_not_grow_with_its_size(
        app, make_user, meeting, push_service, push_ctx, add_device):
    few = _statements_to_deliver(app, make_user, meeting, add_device, push_ctx, 2, NOON)
    many = _statements_to_deliver(app, make_user, meeting, add_device, push_ctx, 12,
                                  NOON + timedelta(hours=1))
    assert CLAIM_BATCH > 12  # both go out in one batch
    assert many == few
    assert len(push_service.received) == 14


def test_title_only_meetings_cost_no_statement_per_row(
        app, make_user, make_contact, meeting, push_service, push_ctx, add_device):
    few, many = (
        _statements_to_deliver(app, make_user, meeting, add_device, push_ctx, users, start,
                               make_contact, _naming_a_contact)
        for users, start in ((2, NOON), (6, NOON + timedelta(hours=1)))
    )
    assert many == few
    titles = {p["title"] for p in push_service.received}
    assert titles == {"Lunch with Raj Patel just ended — was it Raj?"}
    assert len(push_service.received) == 8


def test_one_batch_takes_a_few_dozen_statements_at_most(
        app, make_user, meeting, push_service, push_ctx, add_device):
    statements = _statements_to_deliver(app, make_user, meeting, add_device, push_ctx, 5, NOON)
    assert statements <= 20
