"""Habits scored on a hand-built quarter whose right answers are worked out below."""

from __future__ import annotations

from datetime import UTC, datetime

from server.extensions import db
from server.logbook.habits import build_habits
from server.models import Contact, User
from server.models.interactions import Interaction

from .conftest import new_uuid

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # window: 17 March 12:00 → 15 June 12:00


def test_six_habits_on_a_hand_built_quarter(app, auth_client, user, make_contact, put_log):
    people = {
        "Mona": ("mentor", None),
        "Mick": ("mentee", None),
        "Cara": ("client", None),
        "Fred": ("friend", "--06-01"),
        "Otto": ("other", "1970-05-01"),
        "Pete": ("peer", "--07-01"),
    }
    ids = {}
    for name, (kind, birthday) in people.items():
        ids[name] = make_contact(user, name=name, kind=kind, birthday=birthday).id
    with app.app_context():
        db.session.query(Contact).update({"created_at": datetime(2024, 1, 1, tzinfo=UTC)})
        db.session.commit()
    auth_client.post(f"/api/contacts/{ids['Fred']}/wins", json={"text": "Book out", "happened_on": "2025-05-30"})
    auth_client.post(f"/api/contacts/{ids['Cara']}/wins", json={"text": "Won a tender", "happened_on": "2025-05-05"})
    auth_client.post(f"/api/contacts/{ids['Pete']}/wins", json={"text": "Old news", "happened_on": "2025-01-01"})

    # L1: birthday lunch with Fred, on the day, with congratulations (closes his win).
    put_log([ids["Fred"]], occurred_at="2025-06-01T10:00:00Z", kind="in_person",
            gave=[{"category": "congrats"}])
    # L2: mentor lunch: advice received, her challenge noted with a check-in that has passed.
    put_log([ids["Mona"]], occurred_at="2025-05-20T10:00:00Z", kind="in_person",
            received=[{"category": "advice"}], challenge="Board politics",
            challenge_check_in_on="2025-06-10")
    # L3: call with the mentee: advice and listening given; its follow-up is overdue.
    put_log([ids["Mick"]], occurred_at="2025-05-10T10:00:00Z", kind="call",
            gave=[{"category": "advice"}, {"category": "listening"}], follow_up_on="2025-06-01")
    # L4: client video: an intro promised (open, overdue); referral and feedback received.
    put_log([ids["Cara"]], occurred_at="2025-04-15T10:00:00Z", kind="video",
            gave=[{"category": "intro", "promised": True, "due_on": "2025-05-01"}],
            received=[{"category": "referral"}, {"category": "feedback"}])
    # L5: message from Otto: a favour received; follow-up done inside the window.
    done = new_uuid()
    put_log([ids["Otto"]], key=done, occurred_at="2025-04-01T10:00:00Z", kind="message",
            received=[{"category": "favor"}], follow_up_on="2025-04-10")
    # Outside the window: they only move the cadence clocks.
    put_log([ids["Pete"]], occurred_at="2025-01-10T10:00:00Z", kind="in_person", gave=[{"category": "gift"}])
    put_log([ids["Cara"]], occurred_at="2025-03-01T10:00:00Z", kind="in_person")
    with app.app_context():
        db.session.query(Interaction).filter_by(uuid=done).update(
            {"follow_up_done_at": datetime(2025, 4, 12, tzinfo=UTC)}
        )
        db.session.commit()
        habits = build_habits(db.session.get(User, user.id), NOW, 90)

    # Giving: gave congrats, advice, listening = 3 (the open promise does not count yet);
    # received advice, referral, feedback, favour = 4 → 100 · 3/4 = 75.
    assert habits["giving"] == {
        "score": 75, "gave": 3, "received": 4,
        "promises_made": 1, "promises_kept": 0, "promises_overdue": 1,
    }
    # Empathy: 5 logs; L2 noted a challenge, L3 gave listening → 2 / (0.5 · 5) = 0.8 → 80.
    assert habits["empathy"] == {
        "score": 80, "logs": 5, "caring_logs": 2, "check_ins_overdue": 1, "challenges_resolved": 0,
    }
    # Face time: core = Mona, Mick, Cara, Fred, Pete. Within cadence in person: Fred (1 Jun,
    # 120 d) and Mona (20 May, 60 d); Mick never, Cara 1 Mar + 30, Pete 10 Jan + 90 lapsed.
    assert habits["face_time"] == {
        "score": 40, "core_contacts": 5, "core_within_cadence": 2, "in_person_logs": 2,
        "core_met_in_person": 2, "in_person_per_core_contact": 0.4,
    }
    # Work: 6 contacts; lapsed: Cara (15 Apr + 30) and Pete (10 Jan + 90) → 4/6 → 67.
    assert habits["work"] == {
        "score": 67, "contacts": 6, "within_cadence": 4, "overdue": 2,
        "follow_ups_done": 1, "follow_ups_overdue": 1,
    }
    # Unique voice: heard in L2 (mentor, advice) and L4 (feedback); offered in L3 (mentee,
    # advice); expected 3 a quarter → 50 · 2/3 + 50 · 1/3 = 50.
    assert habits["unique_voice"] == {
        "score": 50, "heard": 2, "offered": 1, "expected": 3, "mentor_logs": 1, "mentee_logs": 1,
        "last_heard_at": datetime(2025, 5, 20, 10, tzinfo=UTC),
        "last_offered_at": datetime(2025, 5, 10, 10, tzinfo=UTC),
    }
    # Friendship: birthdays Fred (1 Jun, greeted that day) and Otto (1 May, not greeted);
    # wins Fred's (congratulated by L1) and Cara's (open) → (1 + 1) / (2 + 2) → 50.
    assert habits["friendship"] == {
        "score": 50, "birthdays": 2, "greeted": 1, "wins": 2, "wins_congratulated": 1,
    }
    # Overall: mean of 75, 80, 40, 67, 50, 50 = 60.33 → 60.
    assert habits["overall"] == 60


def test_habits_without_data_have_no_scores_to_blame(app, user):
    with app.app_context():
        habits = build_habits(db.session.get(User, user.id), NOW, 90)
    assert habits["giving"]["score"] is None
    assert habits["empathy"]["score"] is None
    assert habits["face_time"]["score"] is None
    assert habits["work"]["score"] is None
    assert habits["friendship"]["score"] is None
    assert habits["unique_voice"]["score"] == 0
    assert habits["overall"] == 0


def test_habits_api_validates_days(auth_client):
    assert auth_client.get("/api/habits?days=3").status_code == 422
    data = auth_client.get("/api/habits?days=30").get_json()
    assert data["days"] == 30
    assert set(data) >= {"giving", "empathy", "face_time", "work", "unique_voice", "friendship", "overall"}
    assert data["unique_voice"]["expected"] == 1
