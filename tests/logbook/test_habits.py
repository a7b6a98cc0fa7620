"""Habits scored on a hand-built quarter whose right answers are worked out below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.extensions import db
from server.logbook.habits import build_habits
from server.models import Contact, User, utcnow
from server.models.interactions import Interaction

from .conftest import new_uuid

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # window: 17 March 12:00 → 15 June 12:00
HABITS = ("giving", "empathy", "face_time", "work", "unique_voice", "friendship")


def test_six_habits_on_a_hand_built_quarter(app, auth_client, user, make_contact, put_log):
    people = {
        "Mona": ("mentor", None),
        "Mick": ("mentee", None),
        "Cara": ("client", None),
        "Fred": ("friend", "--06-01"),
        "Otto": ("other", "1970-05-01"),
        "Pete": ("peer", "--07-01"),
    }
    reach = {"Cara": {"phones": ["+44 7700 900123"]}, "Mona": {"emails": ["mona@example.com"]}}
    ids = {}
    for name, (kind, birthday) in people.items():
        ids[name] = make_contact(user, name=name, kind=kind, birthday=birthday, **reach.get(name, {})).id
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

    blocks = {key: _counts(habits[key]) for key in HABITS}
    # Giving: gave congrats, advice, listening = 3 (the open promise does not count yet);
    # received advice, referral, feedback, favour = 4 → 100 · 3/4 = 75.
    assert blocks["giving"] == {
        "score": 75, "gave": 3, "received": 4,
        "promises_made": 1, "promises_kept": 0, "promises_overdue": 1,
    }
    # Empathy: 5 logs; L2 noted a challenge, L3 gave listening → 2 / (0.5 · 5) = 0.8 → 80.
    assert blocks["empathy"] == {
        "score": 80, "logs": 5, "caring_logs": 2, "check_ins_overdue": 1, "challenges_resolved": 0,
    }
    # Face time: core = Mona, Mick, Cara, Fred, Pete, all added long ago, so all tracked.
    # Within cadence in person: Fred (1 Jun, 120 d) and Mona (20 May, 60 d); Mick never met
    # (never within), Cara 1 Mar + 30, Pete 10 Jan + 90 lapsed → 2/5 → 40.
    assert blocks["face_time"] == {
        "score": 40, "core_contacts": 5, "core_tracked": 5, "core_within_cadence": 2,
        "in_person_logs": 2, "core_met_in_person": 2, "in_person_per_core_contact": 0.4,
    }
    # Work: 6 contacts, all in touch once; lapsed: Cara (15 Apr + 30), Pete (10 Jan + 90) → 4/6.
    assert blocks["work"] == {
        "score": 67, "contacts": 6, "tracked": 6, "within_cadence": 4, "overdue": 2,
        "follow_ups_done": 1, "follow_ups_overdue": 1,
    }
    # Unique voice: heard in L2 (mentor, advice) and L4 (feedback); offered in L3 (mentee,
    # advice); expected 3 a quarter → 50 · 2/3 + 50 · 1/3 = 50.
    assert blocks["unique_voice"] == {
        "score": 50, "heard": 2, "offered": 1, "expected": 3, "mentor_logs": 1, "mentee_logs": 1,
        "last_heard_at": datetime(2025, 5, 20, 10, tzinfo=UTC),
        "last_offered_at": datetime(2025, 5, 10, 10, tzinfo=UTC),
    }
    # Friendship: birthdays Fred (1 Jun, greeted that day) and Otto (1 May, not greeted);
    # wins Fred's (congratulated by L1) and Cara's (open) → (1 + 1) / (2 + 2) → 50.
    assert blocks["friendship"] == {
        "score": 50, "birthdays": 2, "greeted": 1, "wins": 2, "wins_congratulated": 1,
    }
    # Overall: 5 logs, six scores: mean of 75, 80, 40, 67, 50, 50 = 60.33 → 60.
    assert habits["overall"] == 60

    # The quarter before (17 Dec → 17 Mar) holds two logs: Pete in person 10 Jan (a gift),
    # Cara in person 1 Mar. Giving (1 item), empathy and unique voice (2 logs) are not
    # enough yet. Face time then: Pete (10 Jan + 90) and Cara (1 Mar + 30) within, Mona,
    # Mick, Fred never met → 2/5 = 40, steady. Work: Pete and Cara of 6 → 33, now 67: up.
    # Friendship: Pete's 1 Jan win, not congratulated → 0, now 50: up.
    previous = {key: (habits[key]["previous_score"], habits[key]["trend"]) for key in HABITS}
    assert previous == {
        "giving": (None, None), "empathy": (None, None), "face_time": (40, "steady"),
        "work": (33, "up"), "unique_voice": (None, None), "friendship": (0, "up"),
    }
    assert habits["previous_overall"] is None  # two logs

    assert {key: habits[key]["summary"] for key in HABITS} == {
        "giving": "You gave 3 times and received 4 in 90 days — you received more than you gave."
                  " 1 promise overdue.",
        "empathy": "You noted what was on their mind in 2 of 5 conversations. 1 check-in overdue.",
        "face_time": "You met 2 of 5 close people in person as often as you planned to.",
        "work": "4 of 6 people heard from you on time; 2 are overdue. 1 follow-up overdue.",
        "unique_voice": "You heard an outside view twice and offered one once in 90 days;"
                        " the aim is about one of each a month.",
        "friendship": "You greeted 1 of 2 birthdays and congratulated 1 of 2 wins on time.",
    }
    # Next steps: the overdue promise (Cara's intro); Mona's passed check-in; Mick, in touch
    # by call but never met in person; Cara, most lapsed for her cadence (61 of 30 days,
    # Pete 156 of 90); offering lags hearing, so the mentee Mick (last talk 10 May, 36 days);
    # no birthday within 14 days (Pete's is in 16), so Cara's open win, the newest.
    steps = {key: habits[key]["next_action"] for key in HABITS}
    assert {key: (s["contact"]["name"], s["text"]) for key, s in steps.items()} == {
        "giving": ("Cara", "You promised Cara an introduction — deliver it or set a new date."),
        "empathy": ("Mona", "Ask Mona how “Board politics” is going."),
        "face_time": ("Mick", "You have not met Mick in person yet — suggest a coffee."),
        "work": ("Cara", "Cara hasn't heard from you in 61 days."),
        "unique_voice": ("Mick", "Offer Mick your feedback — last talked 36 days ago."),
        "friendship": ("Cara", "Congratulate Cara: Won a tender."),
    }
    assert steps["work"]["message_url"] == "sms:+447700900123"
    assert steps["empathy"]["message_url"] == "mailto:mona@example.com"


def test_empty_account_has_nothing_to_score_and_nobody_to_name(app, user):
    with app.app_context():
        habits = build_habits(db.session.get(User, user.id), NOW, 90)
    assert {key: habits[key]["score"] for key in HABITS} == dict.fromkeys(HABITS)
    assert habits["overall"] is None
    assert {key: habits[key]["next_action"] for key in HABITS} == dict.fromkeys(HABITS)
    assert habits["work"]["summary"] == "Add the people you want to keep in touch with to see this."
    assert habits["giving"]["summary"].startswith("Not enough yet")


def test_brand_new_account_is_not_within_cadence_with_people_never_met(app, user, make_contact):
    priya = make_contact(user, name="Priya Shah", kind="friend")
    make_contact(user, name="Otto Other", kind="other")
    now = utcnow()
    with app.app_context():
        habits = build_habits(db.session.get(User, user.id), now, 90)
    # Added minutes ago and never met: not within cadence, and not due yet either.
    assert (habits["work"]["score"], habits["work"]["within_cadence"], habits["work"]["tracked"]) == (None, 0, 0)
    assert (habits["face_time"]["score"], habits["face_time"]["core_tracked"]) == (None, 0)
    assert habits["overall"] is None
    assert habits["work"]["summary"] == "Not enough yet: the people you added are not due yet."
    assert habits["face_time"]["next_action"]["contact"] == {"id": priya.id, "name": "Priya Shah"}
    assert habits["face_time"]["next_action"]["text"] == (
        "You have not met Priya Shah in person yet — suggest a coffee."
    )


def test_four_logs_are_not_enough_for_an_overall_score(app, user, make_contact, put_log):
    people = [make_contact(user, name=f"Friend {n}", kind="friend").id for n in range(4)]
    now = utcnow()
    for n, contact_id in enumerate(people):
        when = (now - timedelta(days=n + 1)).isoformat()
        put_log([contact_id], occurred_at=when, kind="in_person",
                gave=[{"category": "gift"}, {"category": "listening"}])
    with app.app_context():
        habits = build_habits(db.session.get(User, user.id), now, 90)
    # Four in-person logs, all giving and listening: every scored habit is 100 or close,
    # yet four entries say little about habits.
    assert habits["giving"]["score"] == 100 and habits["empathy"]["score"] == 100
    assert habits["face_time"]["score"] == 100
    assert habits["overall"] is None


def _counts(block):
    coaching = {"summary", "previous_score", "trend", "next_action"}
    return {key: value for key, value in block.items() if key not in coaching}


def test_habits_api_validates_days(auth_client):
    assert auth_client.get("/api/habits?days=3").status_code == 422
    data = auth_client.get("/api/habits?days=30").get_json()
    assert data["days"] == 30
    assert set(data) >= {"giving", "empathy", "face_time", "work", "unique_voice", "friendship", "overall"}
    assert data["unique_voice"]["expected"] == 1


def test_birthdays_are_greeted_in_the_users_zone(app, user, make_contact, put_log):
    """Greeted: a log on the day or the day before in the user's zone, up to the start of
    the day after; 29 February is celebrated on the 28th in other years."""
    with app.app_context():
        db.session.get(User, user.id).timezone = "America/New_York"  # UTC-5 in February
        db.session.commit()
    lea = make_contact(user, name="Lea", birthday="--02-29").id  # on Fri 28 Feb 2025
    ned = make_contact(user, name="Ned", birthday="--02-20")
    max_ = make_contact(user, name="Max", birthday="--03-05")
    make_contact(user, name="Ola", birthday="--03-20")  # after the window
    make_contact(user, name="Ida", birthday="--02-01")  # before it
    put_log([lea], occurred_at="2025-02-27T05:30:00Z")  # 27 Feb 00:30 there: the day before
    put_log([ned.id], occurred_at="2025-02-21T04:30:00Z")  # 20 Feb 23:30 there: on the day
    put_log([max_.id], occurred_at="2025-03-06T05:30:00Z")  # 6 Mar 00:30 there: a day late
    put_log([max_.id], occurred_at="2025-03-03T04:30:00Z")  # 2 Mar 23:30 there: too early
    with app.app_context():
        habits = build_habits(db.session.get(User, user.id), datetime(2025, 3, 10, 12, tzinfo=UTC), 30)
    friendship = habits["friendship"]
    assert (friendship["birthdays"], friendship["greeted"], friendship["score"]) == (3, 2, 67)
