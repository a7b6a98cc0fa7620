"""Today: birthdays, overdue ranking, face time, follow-ups, check-ins, wins, promises,
give first and meetings — each computed for an injected `now` in the user's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.extensions import db
from server.logbook.today import build_today
from server.models import Contact, User

from .conftest import new_uuid

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # a Sunday afternoon in London (BST)


def today_for(app, user, now=NOW, cap=10):
    with app.app_context():
        return build_today(db.session.get(User, user.id), now, cap)


def _set(app, contact_id, **fields):
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        for key, value in fields.items():
            setattr(contact, key, value)
        db.session.commit()


def names(block):
    return [item["contact"]["name"] for item in block["items"]]


# Birthdays


@pytest.mark.parametrize(
    ("now", "birthday", "on", "days_until", "age"),
    [
        (datetime(2025, 2, 20, 12, tzinfo=UTC), "2000-02-29", date(2025, 2, 28), 8, 25),
        (datetime(2028, 2, 20, 12, tzinfo=UTC), "2000-02-29", date(2028, 2, 29), 9, 28),
        (datetime(2025, 12, 25, 12, tzinfo=UTC), "1980-01-03", date(2026, 1, 3), 9, 46),
        (datetime(2025, 6, 15, 12, tzinfo=UTC), "--06-29", date(2025, 6, 29), 14, None),
        (datetime(2025, 6, 15, 12, tzinfo=UTC), "1990-06-15", date(2025, 6, 15), 0, 35),
    ],
)
def test_birthday_edge_cases(app, user, make_contact, now, birthday, on, days_until, age):
    make_contact(user, name="Birthday person", birthday=birthday)
    block = today_for(app, user, now)["birthdays"]
    assert block["total"] == 1
    (row,) = block["items"]
    assert (row["on"], row["days_until"], row["age"]) == (on, days_until, age)


def test_birthdays_outside_fourteen_days_or_past_are_not_shown(app, user, make_contact):
    make_contact(user, name="Yesterday", birthday="--06-14")
    make_contact(user, name="In 15 days", birthday="--06-30")
    make_contact(user, name="No birthday")
    assert today_for(app, user)["birthdays"] == {"items": [], "total": 0}


def test_birthdays_use_the_users_zone_ahead_of_utc(app, make_user, make_contact):
    kiwi = make_user("kiwi@example.com", timezone="Pacific/Auckland")
    make_contact(kiwi, name="Today in Auckland", birthday="--03-10")
    make_contact(kiwi, name="Yesterday in Auckland", birthday="--03-09")
    # 12:00 UTC on 9 March is 01:00 on 10 March in Auckland (NZDT, +13).
    block = today_for(app, kiwi, datetime(2025, 3, 9, 12, tzinfo=UTC))["birthdays"]
    assert names(block) == ["Today in Auckland"]
    assert block["items"][0]["days_until"] == 0


def test_birthdays_sorted_soonest_first(app, user, make_contact):
    make_contact(user, name="Later", birthday="--06-20")
    make_contact(user, name="Sooner", birthday="--06-16")
    assert names(today_for(app, user)["birthdays"]) == ["Sooner", "Later"]


# Keep in touch


def test_overdue_ranked_by_how_many_cadences_have_passed(app, user, make_contact):
    people = {
        "Client 45d ago": ("client", 45),  # 30-day cadence: 1.5 cadences
        "Friend 200d ago": ("friend", 200),  # 120-day cadence: 1.67
        "Peer 100d ago": ("peer", 100),  # 90-day cadence: 1.11
        "Other 10d ago": ("other", 10),  # 180-day cadence: not due
    }
    for name, (kind, days) in people.items():
        contact = make_contact(user, name=name, kind=kind)
        when = NOW - timedelta(days=days)
        _set(app, contact.id, created_at=when, last_interaction_at=when)
    block = today_for(app, user)["overdue"]
    assert names(block) == ["Friend 200d ago", "Client 45d ago", "Peer 100d ago"]
    assert [i["overdue_days"] for i in block["items"]] == [80, 15, 10]
    assert [i["overdue_ratio"] for i in block["items"]] == [0.67, 0.5, 0.11]
    assert block["total"] == 3
    capped = today_for(app, user, cap=2)["overdue"]
    assert (len(capped["items"]), capped["total"]) == (2, 3)


def test_face_time_lists_core_people_in_touch_but_not_met(app, user, make_contact):
    friend = make_contact(user, name="Friend", kind="friend")
    other = make_contact(user, name="Acquaintance", kind="other")
    for contact in (friend, other):
        _set(
            app, contact.id,
            created_at=NOW - timedelta(days=400),
            last_interaction_at=NOW - timedelta(days=5),
            last_in_person_at=NOW - timedelta(days=200),
        )
    today = today_for(app, user)
    assert names(today["face_time"]) == ["Friend"]
    assert today["face_time"]["items"][0]["overdue_days"] == 80
    assert today["overdue"]["total"] == 0


def test_each_users_own_cadences_rank_the_lapsed_lists(app, user, make_user, make_contact):
    """The lapsed lists' statements are kept per shape of cadences: the same 45 days of
    silence is overdue for someone whose clients run on 30 days, not for one on 60, and a
    contact's own cadence (a shape of its own) counts whichever list was built first."""
    brisk, patient = user, make_user("patient@example.com", settings={"cadence_by_kind": {"client": 60}})
    for owner in (brisk, patient):
        client = make_contact(owner, name="Client 45d ago", kind="client")
        weekly = make_contact(owner, name="Weekly 10d ago", kind="other", cadence_days=7)
        _set(app, client.id, created_at=NOW - timedelta(days=45), last_interaction_at=NOW - timedelta(days=45))
        _set(app, weekly.id, created_at=NOW - timedelta(days=10), last_interaction_at=NOW - timedelta(days=10))
    for _ in range(2):  # built, then read from the kept statements
        assert names(today_for(app, brisk)["overdue"]) == ["Client 45d ago", "Weekly 10d ago"]
        patient_overdue = today_for(app, patient)["overdue"]
        assert names(patient_overdue) == ["Weekly 10d ago"]
        assert patient_overdue["items"][0]["overdue_days"] == 3


# Follow-ups, check-ins, wins, promises, give first


def test_follow_ups_due_today_or_earlier_and_not_snoozed_or_done(app, auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    due, future, snoozed, done = (new_uuid() for _ in range(4))
    put_log([tom.id], key=due, follow_up_on="2025-06-10", occurred_at="2025-05-10T10:00:00Z")
    put_log([tom.id], key=future, follow_up_on="2025-06-16")
    put_log([tom.id], key=snoozed, follow_up_on="2025-06-01")
    put_log([tom.id], key=done, follow_up_on="2025-06-01")
    with app.app_context():
        from server.models.interactions import Interaction

        db.session.query(Interaction).filter_by(uuid=snoozed).update(
            {"follow_up_snoozed_until": date(2025, 6, 20)}
        )
        db.session.query(Interaction).filter_by(uuid=done).update(
            {"follow_up_done_at": datetime(2025, 6, 2, tzinfo=UTC)}
        )
        db.session.commit()
    block = today_for(app, user)["follow_ups"]
    assert [i["interaction_uuid"] for i in block["items"]] == [due]
    assert block["items"][0]["overdue_days"] == 5
    assert block["items"][0]["people"] == [{"id": tom.id, "name": "Tom"}]


def test_check_ins_due_and_wins_to_congratulate(app, auth_client, user, make_contact):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    auth_client.post(f"/api/contacts/{tom.id}/challenges", json={"text": "Surgery", "check_in_on": "2025-06-15"})
    auth_client.post(f"/api/contacts/{ann.id}/challenges", json={"text": "Move", "check_in_on": "2025-06-16"})
    auth_client.post(f"/api/contacts/{ann.id}/wins", json={"text": "Promoted to VP", "happened_on": "2025-06-01"})
    today = today_for(app, user)
    assert [(i["contact"]["name"], i["text"]) for i in today["check_ins"]["items"]] == [("Tom", "Surgery")]
    assert [(i["contact"]["name"], i["text"]) for i in today["wins"]["items"]] == [("Ann", "Promoted to VP")]


def test_open_promises_overdue_first(app, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    put_log([tom.id], gave=[
        {"category": "intro", "note": "no date", "promised": True},
        {"category": "gift", "note": "later", "promised": True, "due_on": "2025-07-01"},
        {"category": "advice", "note": "late", "promised": True, "due_on": "2025-06-01"},
        {"category": "time", "note": "not a promise"},
    ])
    block = today_for(app, user)["promises"]
    assert [(i["note"], i["overdue"]) for i in block["items"]] == [
        ("late", True), ("later", False), ("no date", False),
    ]


def test_give_first_lists_people_i_owe(app, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    bob = make_contact(user, name="Bob")
    put_log([tom.id], occurred_at="2025-05-01T10:00:00Z",
            received=[{"category": "referral"}, {"category": "advice"}, {"category": "intro"}])
    put_log([ann.id], occurred_at="2025-05-01T10:00:00Z",
            gave=[{"category": "gift"}], received=[{"category": "advice"}, {"category": "time"}])
    put_log([bob.id], occurred_at="2025-05-01T10:00:00Z",
            gave=[{"category": "gift"}], received=[{"category": "advice"}])
    put_log([bob.id], occurred_at="2024-01-01T10:00:00Z", received=[{"category": "favor"}] )
    block = today_for(app, user)["give_first"]
    assert [(i["contact"]["name"], i["gave"], i["received"], i["balance"]) for i in block["items"]] == [
        ("Tom", 0, 3, -3), ("Ann", 1, 2, -1),
    ]


# Meetings


def test_meetings_today_and_past_meetings_to_log(app, user, make_contact, make_meeting, put_log):
    tom = make_contact(user, name="Tom", emails=["tom@example.com"])
    lunch = make_meeting(user, [("tom@example.com", tom.id)], title="Lunch with Tom",
                         start_at=NOW - timedelta(hours=1), end_at=NOW - timedelta(minutes=10),
                         has_others=True)
    later = make_meeting(user, [("tom@example.com", tom.id)], title="Call later",
                         start_at=NOW + timedelta(hours=3), end_at=NOW + timedelta(hours=4),
                         has_others=True)
    make_meeting(user, title="Cancelled", status="cancelled", has_others=True,
                 start_at=NOW - timedelta(hours=5), end_at=NOW - timedelta(hours=4))
    logged = make_meeting(user, [("tom@example.com", tom.id)], title="Coffee Tuesday",
                          start_at=NOW - timedelta(days=5), end_at=NOW - timedelta(days=5) + timedelta(hours=1),
                          has_others=True)
    alone = make_meeting(user, title="Focus time", has_others=False,
                         start_at=NOW - timedelta(days=2), end_at=NOW - timedelta(days=2) + timedelta(hours=1))
    unlogged = make_meeting(user, [("tom@example.com", tom.id)], title="Dinner Friday",
                            start_at=NOW - timedelta(days=2), end_at=NOW - timedelta(days=2) + timedelta(hours=2),
                            has_others=True)
    put_log([tom.id], meeting_id=logged, occurred_at="2025-06-10T12:00:00Z")
    today = today_for(app, user)
    assert [m["title"] for m in today["meetings_today"]["items"]] == ["Lunch with Tom", "Call later"]
    assert [m["logged"] for m in today["meetings_today"]["items"]] == [False, False]
    assert [m["id"] for m in today["meetings_to_log"]["items"]] == [lunch, unlogged]
    assert today["meetings_to_log"]["total"] == 2
    assert alone not in [m["id"] for m in today["meetings_to_log"]["items"]]
    assert later not in [m["id"] for m in today["meetings_to_log"]["items"]]


def test_today_api_answers_with_every_list(auth_client, user, make_contact):
    make_contact(user, name="Tom")
    response = auth_client.get("/api/today?limit=5")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {
        "date", "timezone", "meetings_today", "meetings_to_log", "birthdays", "overdue",
        "face_time", "follow_ups", "check_ins", "wins", "promises", "give_first",
    }
    assert data["timezone"] == "Europe/London"
    assert auth_client.get("/api/today?limit=0").status_code == 422
