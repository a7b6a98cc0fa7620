"""The nudges no one else sends: the pre-meeting brief, wins, the digest's reasons, face time."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.logbook.week import build_week
from server.models import Contact
from server.models.interactions import Win
from server.models.push import Notification
from server.push.delivery import deliver_due
from server.reminders.planning import delivery_rules, plan_for_user
from tests.push.helpers import fixed
from tests.reminders.conftest import BASE

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)  # Monday, 09:00 in London


def _rows(app, kind):
    with app.app_context():
        db.session.expire_all()
        return {n.key: n for n in db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.key))}


def _log(client, contact_ids, when, **fields):
    body = {"occurred_at": when.isoformat(), "kind": "in_person", "contact_ids": contact_ids,
            "gave": [], "received": [], **fields}
    response = client.put(f"/api/interactions/{uuid.uuid4()}", json=body)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


# --- pre-meeting brief ----------------------------------------------------------------------


def test_brief_before_a_meeting_with_someone_known(app, auth_client, user, make_contact,
                                                   meeting, push_service, push_ctx,
                                                   add_device):
    priya = make_contact(user, name="Priya Shah", emails=["priya@example.com"])
    sub, _ = add_device(user.id)
    _log(auth_client, [priya.id], NOW - timedelta(days=20), challenge="hiring a CTO",
         gave=[{"category": "advice", "note": "pricing"},
               {"category": "intro", "note": "an intro to Ben"},
               {"category": "intro", "note": "an intro to Dana", "promised": True}])
    start = NOW + timedelta(hours=3)
    coffee = meeting(user, start, "Coffee with Priya",
                     people=[("priya@example.com", "Priya", priya.id)])
    with app.app_context():
        plan_for_user(user.id, NOW, BASE)
    [brief] = _rows(app, "brief").values()
    assert brief.key == f"brief:{coffee}"
    assert brief.due_at == start - timedelta(minutes=10) and brief.expires_at == start
    due = brief.due_at
    with app.app_context():
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    [payload] = [p for p in push_service.received_for(sub["endpoint"]) if p["kind"] == "brief"]
    assert payload["title"] == "Coffee with Priya in 10 min"
    assert payload["body"] == ("you're 2 ahead · on Priya's mind: hiring a CTO · "
                               "you promised an intro to Dana")
    assert payload["url"] == f"/people/{priya.id}"


def test_no_brief_for_strangers_unless_asked_and_it_follows_the_minutes_setting(
        app, auth_client, user, make_contact, meeting):
    start = NOW + timedelta(hours=3)
    meeting(user, start, "Intro call", people=[("who@example.com", "Who", None)])
    with app.app_context():
        plan_for_user(user.id, NOW, BASE)
    assert _rows(app, "brief") == {}
    auth_client.patch("/api/settings", json={"brief_with_strangers": True,
                                             "brief_minutes_before": 25})
    with app.app_context():
        plan_for_user(user.id, NOW, BASE)
    [brief] = _rows(app, "brief").values()
    assert brief.due_at == start - timedelta(minutes=25)
    assert brief.payload["title"] == "Intro call in 25 min"


def test_a_brief_for_a_meeting_cancelled_after_planning_is_not_sent(
        app, user, make_contact, meeting, push_service, push_ctx, add_device):
    from server.models.calendars import Meeting

    priya = make_contact(user, name="Priya Shah")
    add_device(user.id)
    start = NOW + timedelta(hours=3)
    coffee = meeting(user, start, "Coffee", people=[("p@example.com", "Priya", priya.id)])
    with app.app_context():
        plan_for_user(user.id, NOW, BASE)
        db.session.get(Meeting, coffee).status = "cancelled"
        db.session.commit()
        due = start - timedelta(minutes=10)
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
    assert _rows(app, "brief")[f"brief:{coffee}"].state == "cancelled"
    assert push_service.received == []


# --- wins -----------------------------------------------------------------------------------


def test_a_new_win_gets_a_congrats_nudge_within_a_day_unless_congratulated(
        app, auth_client, user, make_contact, push_service, push_ctx, add_device):
    ana = make_contact(user, name="Ana Lima")
    sub, _ = add_device(user.id)
    win = auth_client.post(f"/api/contacts/{ana.id}/wins",
                           json={"text": "closed her seed round", "happened_on": "2026-05-03"})
    assert win.status_code == 201, win.get_json()
    with app.app_context():
        created = db.session.get(Win, win.get_json()["id"]).created_at
        plan_for_user(user.id, created, BASE)
    [row] = _rows(app, "win").values()
    assert created < row.due_at <= created + timedelta(days=1)
    with app.app_context():
        deliver_due(push_ctx, row.due_at, "w", rules=delivery_rules(), clock=fixed(row.due_at))
    [payload] = [p for p in push_service.received_for(sub["endpoint"]) if p["kind"] == "win"]
    assert payload["title"] == "Congratulate Ana: closed her seed round"
    assert payload["url"] == f"/people/{ana.id}"


def test_a_congrats_logged_before_the_nudge_cancels_it(app, auth_client, user, make_contact,
                                                        push_service, push_ctx, add_device):
    ana = make_contact(user, name="Ana Lima")
    add_device(user.id)
    auth_client.post(f"/api/contacts/{ana.id}/wins",
                     json={"text": "promoted", "happened_on": "2026-05-03"})
    with app.app_context():
        created = db.session.scalar(select(Win.created_at))
        plan_for_user(user.id, created, BASE)
    [row] = _rows(app, "win").values()
    _log(auth_client, [ana.id], created, kind="message",
         gave=[{"category": "congrats", "note": "well done"}])
    with app.app_context():
        deliver_due(push_ctx, row.due_at, "w", rules=delivery_rules(), clock=fixed(row.due_at))
    assert _rows(app, "win")[row.key].state == "cancelled"
    assert push_service.received == []


def test_a_big_win_gets_a_one_year_anniversary(app, auth_client, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    small = make_contact(user, name="Sam Small")
    auth_client.post(f"/api/contacts/{ana.id}/wins",
                     json={"text": "founded Lumen", "happened_on": "2025-05-05", "big": True})
    auth_client.post(f"/api/contacts/{small.id}/wins",
                     json={"text": "new desk", "happened_on": "2025-05-05"})
    with app.app_context():
        plan_for_user(user.id, NOW, BASE)
    anniversaries = [n for n in _rows(app, "win").values() if n.key.startswith("win-anniv")]
    [row] = anniversaries
    assert row.payload["title"] == "A year since Ana's win: founded Lumen"
    assert row.due_at == datetime(2026, 5, 5, 8, 0, tzinfo=UTC)  # 09:00 London, the day


# --- digest with reasons --------------------------------------------------------------------


def test_the_digest_says_why_for_each_person_and_opens_the_week(app, auth_client, user,
                                                                make_contact):
    owed = make_contact(user, name="Olu Owed")
    winner = make_contact(user, name="Wen Winner")
    late = make_contact(user, name="Lee Late", kind="client")
    _log(auth_client, [owed.id], NOW - timedelta(days=3),
         gave=[{"category": "intro", "note": "an intro to Dana", "promised": True}])
    auth_client.post(f"/api/contacts/{winner.id}/wins",
                     json={"text": "shipped v2", "happened_on": "2026-05-01"})
    with app.app_context():
        row = db.session.get(Contact, late.id)
        row.last_interaction_at = NOW - timedelta(days=75)
        db.session.commit()
        plan_for_user(user.id, NOW - timedelta(hours=2), BASE)
    [digest] = _rows(app, "digest").values()
    assert digest.payload["url"] == "/week"
    lines = digest.payload["lines"]
    assert [(line["name"], line["reason"]) for line in lines] == [
        ("Olu Owed", "you promised an intro to Dana"),
        ("Wen Winner", "congratulate: shipped v2"),
        ("Lee Late", "45 days past your usual"),
    ]
    assert [line["url"] for line in lines] == [
        f"/people/{owed.id}", f"/people/{winner.id}", f"/people/{late.id}"]
    assert digest.payload["body"].startswith("Olu Owed (you promised an intro to Dana), ")


def test_the_digest_and_the_week_page_name_the_same_people_for_the_same_reasons(
        app, auth_client, user, make_contact):
    """The push opens /week: the page lists the digest's people first, each with its reason."""
    born = make_contact(user, name="Bea Born", birthday="--05-07")
    taker = make_contact(user, name="Tim Taker")
    owed = make_contact(user, name="Olu Owed")
    _log(auth_client, [taker.id], NOW - timedelta(days=2),
         received=[{"category": "advice"}, {"category": "intro"}])
    _log(auth_client, [owed.id], NOW - timedelta(days=3),
         gave=[{"category": "intro", "promised": True}])
    with app.app_context():
        for cid in (born.id, taker.id, owed.id):
            db.session.get(Contact, cid).created_at = NOW - timedelta(days=5)
        db.session.commit()
        plan_for_user(user.id, NOW - timedelta(hours=2), BASE)
        week = build_week(db.session.get(type(user), user.id), NOW - timedelta(hours=2))
    [digest] = _rows(app, "digest").values()
    pushed = [(line["contact_id"], line["reason"]) for line in digest.payload["lines"]]
    assert pushed == [(owed.id, "you promised an introduction"), (born.id, "birthday Thursday"),
                      (taker.id, "you got 2 more than you gave")]
    assert [(p["contact"]["id"], p["reason"], p["text"]) for p in week["give_to"]] == [
        (owed.id, "promise", "You promised Olu Owed an introduction."),
        (born.id, "birthday", "Bea Born's birthday is on Thursday."),
        (taker.id, "balance", "You got 2 more from Tim Taker than you gave."),
    ]


# --- face time ------------------------------------------------------------------------------


def test_face_time_says_which_cadence_is_due_and_nudges_once(app, user, make_contact):
    lunch = make_contact(user, name="Tom Baker", face_time_days=90, cadence_days=30)
    touch = make_contact(user, name="Ana Lima", cadence_days=30)
    fine = make_contact(user, name="Fay Fine", face_time_days=90)
    with app.app_context():
        for cid, seen, met in ((lunch.id, 5, 92), (touch.id, 31, None), (fine.id, 1, 10)):
            row = db.session.get(Contact, cid)
            row.last_interaction_at = NOW - timedelta(days=seen)
            row.last_in_person_at = NOW - timedelta(days=met) if met else None
            row.created_at = NOW - timedelta(days=400)
        db.session.commit()
        plan_for_user(user.id, NOW, BASE)
        plan_for_user(user.id, NOW + timedelta(days=1), BASE)
    rows = _rows(app, "face_time")
    titles = sorted(n.payload["title"] for n in rows.values())
    assert titles == ["Time to get in touch with Ana", "Time to see Tom in person"]
    assert len(rows) == 2  # the next day plans no second nudge for the same lapse
    tom = next(n for n in rows.values() if n.subject_id == lunch.id)
    assert tom.payload["body"] == "You meet every 3 months; a call does not count for this one."
    assert date.fromisoformat(tom.key.rsplit(":", 1)[1]) == (NOW - timedelta(days=2)).date()


def test_face_time_nudges_a_few_a_day_and_moves_on_to_the_others(app, user, make_contact):
    people = [make_contact(user, name=f"Person {n}", face_time_days=30) for n in range(5)]
    with app.app_context():
        for n, person in enumerate(people):
            row = db.session.get(Contact, person.id)
            row.created_at = NOW - timedelta(days=400)
            row.last_in_person_at = NOW - timedelta(days=100 + n)
        db.session.commit()
        plan_for_user(user.id, NOW, BASE)
        plan_for_user(user.id, NOW + timedelta(hours=2), BASE)  # same day: still three
        first_day = set(_rows(app, "face_time"))
        plan_for_user(user.id, NOW + timedelta(days=1), BASE)
        plan_for_user(user.id, NOW + timedelta(days=2), BASE)
    rows = _rows(app, "face_time")
    assert len(first_day) == 3
    assert {n.subject_id for n in rows.values()} == {p.id for p in people}
    assert len(rows) == 5  # each lapse once, the longest lapsed first
    assert {rows[k].subject_id for k in first_day} == {p.id for p in people[2:]}


def test_a_backup_keeps_the_in_person_cadence(app, auth_client, user, make_user):
    made = auth_client.post("/api/contacts", json={"name": "Tom Baker", "face_time_days": 90})
    assert made.get_json()["face_time_days"] == 90
    backup = auth_client.get("/api/export.json").get_json()
    assert backup["contacts"][0]["face_time_days"] == 90
    auth_client.delete(f"/api/contacts/{made.get_json()['id']}")
    restored = auth_client.post("/api/import.json", json=backup)
    assert restored.status_code == 200, restored.get_json()
    [tom] = auth_client.get("/api/contacts").get_json()["items"]
    assert tom["face_time_days"] == 90
