"""Reminders that read the log book: logged meetings, context lines, follow-ups due today."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.models.push import Notification
from server.push.delivery import DeliveryRules, deliver_due
from server.reminders.planning import delivery_rules, plan_for_user
from tests.push.helpers import fixed
from tests.push.test_planning import START, _meeting

BASE = "https://rapport.example.org"


def _log(client, contact_ids, **fields):
    body = {"occurred_at": "2026-05-01T10:00:00Z", "kind": "in_person",
            "contact_ids": contact_ids, **fields}
    response = client.put(f"/api/interactions/{uuid.uuid4()}", json=body)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _rows(app, kind):
    with app.app_context():
        return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_meeting_logged_before_the_prompt_gets_none(app, auth_client, user, push_service,
                                                    push_ctx, add_device, make_contact):
    tom = make_contact(user, name="Tom Baker")
    add_device(user.id)
    lunch = _meeting(app, user, START)
    with app.app_context():
        plan_for_user(user.id, START, BASE)
    _log(auth_client, [tom.id], meeting_id=lunch, kind="in_person")
    due = START + timedelta(minutes=65)
    with app.app_context():
        plan_for_user(user.id, due, BASE)
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    [row] = _rows(app, "meeting")
    assert row.state == "cancelled"
    assert push_service.received == []


def test_a_log_saved_while_the_prompt_is_being_sent_cancels_it(app, auth_client, user,
                                                               push_service, push_ctx,
                                                               add_device, make_contact):
    tom = make_contact(user, name="Tom Baker")
    add_device(user.id)
    lunch = _meeting(app, user, START)
    due = START + timedelta(minutes=65)
    with app.app_context():
        plan_for_user(user.id, START, BASE)
    _log(auth_client, [tom.id], meeting_id=lunch)
    with app.app_context():  # no re-plan: the send-time check alone must catch it
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    assert _rows(app, "meeting")[0].state == "cancelled"
    assert push_service.received == []


def test_prompt_carries_an_open_challenge_as_context(app, auth_client, user, make_contact):
    tom = make_contact(user, name="Tom Baker", emails=["tom@example.com"])
    _log(auth_client, [tom.id], challenge="hiring a CTO")
    lunch = _meeting(app, user, START)
    with app.app_context():
        from server.models.calendars import MeetingAttendee

        attendee = db.session.scalar(select(MeetingAttendee).where(
            MeetingAttendee.meeting_id == lunch))
        attendee.contact_id = tom.id
        db.session.commit()
        plan_for_user(user.id, START, BASE)
    [row] = _rows(app, "meeting")
    assert row.payload["body"] == "What did you give, what did you get?\nOn their mind: hiring a CTO"


def test_birthday_names_the_last_interaction(app, auth_client, user, make_contact):
    tom = make_contact(user, name="Tom Baker", birthday="1985-05-15")
    _log(auth_client, [tom.id], gave=[{"category": "intro", "note": "an intro to Raj"}])
    with app.app_context():
        plan_for_user(user.id, datetime(2026, 5, 15, 6, 0, tzinfo=UTC), BASE)
    [row] = _rows(app, "birthday")
    assert row.payload["title"] == "Tom Baker turns 41 today"
    assert row.payload["body"].startswith(
        "Last time: met in person on 1 May 2026 — you gave an intro to Raj")


def test_followups_checkins_and_promises_due_today_make_one_push(
    app, auth_client, user, make_contact, push_service, push_ctx, add_device
):
    add_device(user.id)
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    _log(auth_client, [tom.id], follow_up_on="2026-05-20")
    _log(auth_client, [ann.id], challenge="surgery", challenge_check_in_on="2026-05-20")
    _log(auth_client, [tom.id], gave=[{"category": "intro", "note": "intro to Raj",
                                       "promised": True, "due_on": "2026-05-20"}])
    _log(auth_client, [ann.id], follow_up_on="2026-05-21")
    morning = datetime(2026, 5, 20, 5, 0, tzinfo=UTC)  # 06:00 in London
    with app.app_context():
        plan_for_user(user.id, morning, BASE)
        plan_for_user(user.id, morning + timedelta(hours=1), BASE)
    rows = {r.key: r for r in _rows(app, "followup")}
    today = rows[f"followups:{user.id}:2026-05-20"]
    assert today.due_at == datetime(2026, 5, 20, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert today.payload["title"] == "3 things to follow up on today"
    assert today.payload["body"].splitlines() == [
        "Follow up with Tom", "Check in with Ann: surgery", "You promised Tom: intro to Raj"]
    assert rows[f"followups:{user.id}:2026-05-21"].payload["title"] == "Follow up with Ann"
    at = today.due_at
    with app.app_context():
        deliver_due(push_ctx, at, "w", rules=DeliveryRules(), clock=fixed(at))
    assert [p["title"] for p in push_service.received] == ["3 things to follow up on today"]
