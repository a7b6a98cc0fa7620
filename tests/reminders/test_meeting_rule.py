"""One needs-log rule, and meetings whose title alone names someone ("was it Raj?")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.calendars.matching import load_name_index, match_attendees
from server.extensions import db
from server.models.calendars import Meeting
from server.models.push import Notification
from server.push.delivery import deliver_due
from server.reminders.planning import delivery_rules, plan_for_user
from tests.push.helpers import fixed
from tests.reminders.conftest import BASE

NOON = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)  # lunch in London, outside quiet hours


def _title_only_meeting(app, user, title, start):
    """A feed meeting without ATTENDEE lines, matched the way a sync matches it."""
    with app.app_context():
        from server.models.calendars import Calendar

        cal = Calendar(user_id=user.id, name="Outlook", source="upload")
        db.session.add(cal)
        db.session.flush()
        row = Meeting(user_id=user.id, calendar_id=cal.id, uid=f"u-{title}", title=title,
                      start_at=start, end_at=start + timedelta(hours=1), has_others=False)
        db.session.add(row)
        db.session.flush()
        match_attendees(user.id, [row], load_name_index(user.id))
        db.session.commit()
        return row.id


def _prompts(app):
    with app.app_context():
        db.session.expire_all()
        return {n.subject_id: n for n in db.session.scalars(
            select(Notification).where(Notification.kind == "meeting"))}


def test_a_title_naming_a_contact_prompts_was_it_them_and_the_log_confirms(
        app, auth_client, user, make_contact, push_service, push_ctx, add_device):
    raj = make_contact(user, name="Raj Patel")
    sub, _ = add_device(user.id)
    start = NOON
    lunch = _title_only_meeting(app, user, "Lunch with Raj Patel", start)
    silent = _title_only_meeting(app, user, "Dentist", start)
    due = start + timedelta(hours=1, minutes=5)
    with app.app_context():
        plan_for_user(user.id, start, BASE)
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    prompts = _prompts(app)
    assert set(prompts) == {lunch} and silent not in prompts
    [payload] = push_service.received_for(sub["endpoint"])
    assert payload["title"] == "Lunch with Raj Patel just ended — was it Raj?"
    assert payload["url"] == f"/log?meeting={lunch}"
    before = auth_client.get(f"/api/meetings/{lunch}").get_json()
    assert before["needs_log"] is False  # a suggestion is not yet someone who was there
    body = {"occurred_at": start.isoformat(), "kind": "in_person", "contact_ids": [raj.id],
            "meeting_id": lunch}
    assert auth_client.put(f"/api/interactions/{uuid.uuid4()}", json=body).status_code == 201
    after = auth_client.get(f"/api/meetings/{lunch}").get_json()
    assert after["attendees"][0]["contact_id"] == raj.id
    assert after["has_others"] is True and after["logged"] is True
    assert after["needs_log"] is False


def test_a_title_prompt_not_yet_sent_is_cancelled_by_the_confirming_log(
        app, auth_client, user, make_contact, push_service, push_ctx, add_device):
    raj = make_contact(user, name="Raj Patel")
    add_device(user.id)
    start = NOON
    lunch = _title_only_meeting(app, user, "Lunch with Raj Patel", start)
    with app.app_context():
        plan_for_user(user.id, start, BASE)
    body = {"occurred_at": start.isoformat(), "kind": "in_person", "contact_ids": [raj.id],
            "meeting_id": lunch}
    auth_client.put(f"/api/interactions/{uuid.uuid4()}", json=body)
    due = start + timedelta(hours=1, minutes=5)
    with app.app_context():
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    assert _prompts(app)[lunch].state == "cancelled"
    assert push_service.received == []


def test_a_log_with_someone_else_does_not_confirm_the_title_suggestion(
        app, auth_client, user, make_contact):
    make_contact(user, name="Raj Patel")
    ana = make_contact(user, name="Ana Lima")
    start = datetime.now(UTC) - timedelta(hours=2)
    lunch = _title_only_meeting(app, user, "Lunch with Raj Patel", start)
    body = {"occurred_at": start.isoformat(), "kind": "in_person", "contact_ids": [ana.id],
            "meeting_id": lunch}
    auth_client.put(f"/api/interactions/{uuid.uuid4()}", json=body)
    meeting = auth_client.get(f"/api/meetings/{lunch}").get_json()
    assert meeting["attendees"][0]["contact_id"] is None
    assert meeting["has_others"] is False


def test_a_meeting_in_progress_does_not_need_a_log_anywhere_yet(
        app, auth_client, user, make_contact, meeting):
    tom = make_contact(user, name="Tom Baker", emails=["tom@example.com"])
    now = datetime.now(UTC)
    running = meeting(user, now - timedelta(minutes=20), title="Standup",
                      people=[("tom@example.com", "Tom", tom.id)], minutes=60)
    ended = meeting(user, now - timedelta(hours=2), title="Lunch",
                    people=[("tom@example.com", "Tom", tom.id)], minutes=60)
    allday = meeting(user, now - timedelta(days=1), title="Offsite", all_day=True,
                     people=[("tom@example.com", "Tom", tom.id)], minutes=60)
    listed = {m["id"]: m for m in auth_client.get("/api/meetings").get_json()["items"]}
    assert listed[running]["needs_log"] is False
    assert listed[ended]["needs_log"] is True
    assert listed[allday]["needs_log"] is False
    unlogged = auth_client.get("/api/meetings?unlogged=true").get_json()["items"]
    assert [m["id"] for m in unlogged] == [ended]
    today = auth_client.get("/api/today").get_json()
    assert [m["id"] for m in today["meetings_to_log"]["items"]] == [ended]
    assert auth_client.get(f"/api/meetings/{running}").get_json()["needs_log"] is False


def test_a_title_only_meeting_set_aside_gets_no_prompt(app, auth_client, user, make_contact):
    make_contact(user, name="Raj Patel")
    lunch = _title_only_meeting(app, user, "Lunch with Raj Patel", NOON)
    assert auth_client.put(f"/api/meetings/{lunch}/skip", json={}).status_code in (200, 204)
    with app.app_context():
        plan_for_user(user.id, NOON, BASE)
    assert _prompts(app) == {}
