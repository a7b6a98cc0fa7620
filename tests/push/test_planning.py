"""Planning: birthdays at the user's local time, DST, zones, 29 February, digest, meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.extensions import db
from server.logbook.clock import quiet_hours_end
from server.models import User
from server.models.calendars import Calendar, Meeting, MeetingAttendee
from server.models.push import Notification
from server.reminders.kinds.birthday import birthday_in_year
from server.reminders.planning import plan_all, plan_for_user
from tests.push.helpers import row

BASE = "https://rapport.example.org"


def _keys(app, kind=None):
    with app.app_context():
        stmt = select(Notification).order_by(Notification.key)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        return {n.key: n for n in db.session.scalars(stmt)}


def _settings(app, user, **changes):
    with app.app_context():
        fresh = db.session.get(User, user.id)
        fresh.settings = {**(fresh.settings or {}), **changes}
        db.session.commit()


def test_birthday_reminders_at_local_nine_with_leads(app, make_user, make_contact):
    maya = make_user("maya@example.com", timezone="Europe/London")
    tom = make_contact(maya, name="Tom Baker", birthday="1985-05-15")
    # Friday 8 May 2026, 06:00 UTC: 7 days before Friday 15 May.
    now = datetime(2026, 5, 8, 6, 0, tzinfo=UTC)
    with app.app_context():
        plan_all(now, BASE)
    rows = _keys(app, "birthday")
    key = f"birthday:{tom.id}:2026-05-15:7"
    assert list(rows) == [key]
    n = rows[key]
    assert n.due_at == datetime(2026, 5, 8, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert n.payload["title"] == "Tom Baker turns 41 on Friday 15 May"
    assert n.payload["url"] == f"/people/{tom.id}"
    assert n.expires_at == datetime(2026, 5, 8, 23, 0, tzinfo=UTC)  # local midnight
    with app.app_context():
        plan_all(datetime(2026, 5, 14, 6, 0, tzinfo=UTC), BASE)
        plan_all(datetime(2026, 5, 15, 6, 0, tzinfo=UTC), BASE)
    titles = {k.rsplit(":", 1)[1]: n.payload["title"] for k, n in _keys(app, "birthday").items()}
    assert titles == {"7": "Tom Baker turns 41 on Friday 15 May",
                      "1": "Tom Baker turns 41 tomorrow", "0": "Tom Baker turns 41 today"}


def test_replanning_is_idempotent_and_follows_a_new_notify_time(app, make_user, make_contact):
    maya = make_user("maya@example.com", timezone="UTC")
    tom = make_contact(maya, name="Tom", birthday="--06-10")
    now = datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
    with app.app_context():
        assert plan_all(now, BASE)["planned"] == 1
        assert plan_all(now, BASE)["planned"] == 0
    _settings(app, maya, notify_time="08:15")
    with app.app_context():
        assert plan_all(now, BASE)["planned"] == 0
        n = row(f"birthday:{tom.id}:2026-06-10:0")
        assert n.due_at == datetime(2026, 6, 10, 8, 15, tzinfo=UTC)
        assert n.payload["title"] == "It's Tom's birthday today"


def test_dst_change_keeps_local_wall_time(app, make_user, make_contact):
    maya = make_user("maya@example.com", timezone="Europe/Berlin")
    # Clocks go forward on Sunday 29 March 2026 in Berlin.
    before = make_contact(maya, name="Before", birthday="--03-28")
    after = make_contact(maya, name="After", birthday="--03-29")
    with app.app_context():
        plan_all(datetime(2026, 3, 28, 0, 30, tzinfo=UTC), BASE)
    rows = _keys(app, "birthday")
    assert rows[f"birthday:{before.id}:2026-03-28:0"].due_at == datetime(
        2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert rows[f"birthday:{after.id}:2026-03-29:0"].due_at == datetime(
        2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_time_zones_ahead_of_and_behind_utc(app, make_user, make_contact):
    auckland = make_user("nz@example.com", timezone="Pacific/Auckland")
    la = make_user("la@example.com", timezone="America/Los_Angeles")
    kiwi = make_contact(auckland, name="Kiwi", birthday="--07-02")
    angel = make_contact(la, name="Angel", birthday="--07-01")
    # 1 July 2026 20:00 UTC is already 2 July 08:00 in Auckland, still 1 July 13:00 in LA.
    with app.app_context():
        plan_all(datetime(2026, 7, 1, 20, 0, tzinfo=UTC), BASE)
    rows = _keys(app, "birthday")
    assert rows[f"birthday:{kiwi.id}:2026-07-02:0"].due_at == datetime(
        2026, 7, 1, 21, 0, tzinfo=UTC)  # 09:00 NZST
    # LA's 09:00 has passed but the day is not over: still sent today.
    la_row = rows[f"birthday:{angel.id}:2026-07-01:0"]
    assert la_row.due_at == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)
    assert la_row.expires_at == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


def test_29_february_birthdays(app, make_user, make_contact):
    maya = make_user("maya@example.com")
    leap = make_contact(maya, name="Leap", birthday="1996-02-29")
    assert birthday_in_year(2, 29, 2027).isoformat() == "2027-02-28"
    assert birthday_in_year(2, 29, 2028).isoformat() == "2028-02-29"
    with app.app_context():
        plan_all(datetime(2027, 2, 28, 1, 0, tzinfo=UTC), BASE)
        plan_all(datetime(2028, 2, 28, 1, 0, tzinfo=UTC), BASE)
    rows = _keys(app, "birthday")
    assert rows[f"birthday:{leap.id}:2027-02-28:0"].payload["title"] == "Leap turns 31 today"
    assert f"birthday:{leap.id}:2028-02-28:0" not in rows
    assert rows[f"birthday:{leap.id}:2028-02-29:1"].payload["title"] == "Leap turns 32 tomorrow"


def test_birthdays_can_be_turned_off(app, make_user, make_contact):
    maya = make_user("maya@example.com", settings={"notify_birthdays": False})
    make_contact(maya, name="Tom", birthday="--06-10")
    with app.app_context():
        plan_all(datetime(2026, 6, 10, 5, 0, tzinfo=UTC), BASE)
    assert _keys(app) == {}


def test_weekly_digest_names_people_overdue(app, make_user, make_contact):
    maya = make_user("maya@example.com", timezone="Europe/London")
    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    for name in ("Ann", "Bob", "Cat", "Dan"):
        c = make_contact(maya, name=name, kind="client")
        with app.app_context():
            db.session.execute(
                Contact_update(c.id, long_ago - timedelta(days=ord(name[0])))
            )
            db.session.commit()
    make_contact(maya, name="Fresh", kind="client")
    sunday = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)  # plans Monday 4 May
    with app.app_context():
        plan_all(sunday, BASE)
        plan_all(sunday + timedelta(hours=1), BASE)
    rows = _keys(app, "digest")
    assert list(rows) == [f"digest:{maya.id}:2026-W19"]
    digest = rows[f"digest:{maya.id}:2026-W19"]
    assert digest.due_at == datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    assert digest.payload["title"] == "Three people to give to this week"
    assert digest.payload["body"].count(",") == 2 and "Fresh" not in digest.payload["body"]


def Contact_update(contact_id, when):  # noqa: N802
    from sqlalchemy import update

    from server.models import Contact

    return update(Contact).where(Contact.id == contact_id).values(last_interaction_at=when)


def test_digest_off_plans_nothing(app, make_user, make_contact):
    maya = make_user("maya@example.com", settings={"digest_enabled": False})
    make_contact(maya, name="Old", kind="client")
    with app.app_context():
        plan_all(datetime(2026, 5, 4, 6, 0, tzinfo=UTC), BASE)
    assert _keys(app, "digest") == {}


# --- post-meeting prompts -------------------------------------------------------------------


def _meeting(app, user, start, minutes=60, title="Lunch with Tom Baker", **fields):
    with app.app_context():
        cal = db.session.scalar(select(Calendar).where(Calendar.user_id == user.id))
        if cal is None:
            cal = Calendar(user_id=user.id, name="Work", source="upload")
            db.session.add(cal)
            db.session.flush()
        meeting = Meeting(
            user_id=user.id, calendar_id=cal.id, uid=f"uid-{start.isoformat()}-{title}",
            title=title, start_at=start, end_at=start + timedelta(minutes=minutes),
            status=fields.pop("status", "confirmed"), has_others=fields.pop("has_others", True),
            all_day=fields.pop("all_day", False), **fields,
        )
        meeting.attendees.append(MeetingAttendee(user_id=user.id, email="tom@example.com",
                                                 name="Tom Baker"))
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


START = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_each_meeting_gets_a_prompt_at_end_plus_delay(app, make_user):
    maya = make_user("maya@example.com", timezone="Europe/London")
    lunch = _meeting(app, maya, START)
    after = _meeting(app, maya, START + timedelta(hours=1), title="Call with Ana")
    with app.app_context():
        plan_for_user(maya.id, START, BASE)
    rows = _keys(app, "meeting")
    assert rows[f"meeting:{lunch}"].due_at == START + timedelta(minutes=65)
    assert rows[f"meeting:{after}"].due_at == START + timedelta(minutes=125)
    payload = rows[f"meeting:{lunch}"].payload
    assert payload["title"] == "Lunch with Tom Baker just ended"
    assert payload["body"].startswith("What did you give, what did you get?")
    assert payload["url"] == f"/log?meeting={lunch}"


def test_meetings_without_others_all_day_cancelled_or_declined_get_none(app, make_user):
    maya = make_user("maya@example.com")
    _meeting(app, maya, START, title="Focus", has_others=False)
    _meeting(app, maya, START, title="Offsite", all_day=True)
    _meeting(app, maya, START, title="Dropped", status="cancelled")
    _meeting(app, maya, START, title="Nope", my_response="DECLINED")
    with app.app_context():
        plan_for_user(maya.id, START, BASE)
    assert _keys(app, "meeting") == {}


def test_moved_meeting_moves_its_prompt_and_cancelled_one_cancels(app, make_user):
    maya = make_user("maya@example.com")
    moved = _meeting(app, maya, START)
    dropped = _meeting(app, maya, START, title="Coffee")
    vanished = _meeting(app, maya, START, title="Gone")
    with app.app_context():
        plan_for_user(maya.id, START, BASE)
        m = db.session.get(Meeting, moved)
        m.start_at, m.end_at = START + timedelta(hours=3), START + timedelta(hours=4)
        db.session.get(Meeting, dropped).status = "cancelled"
        db.session.delete(db.session.get(Meeting, vanished))
        db.session.commit()
        plan_for_user(maya.id, START + timedelta(minutes=10), BASE)
    rows = _keys(app, "meeting")
    assert rows[f"meeting:{moved}"].due_at == START + timedelta(hours=4, minutes=5)
    assert rows[f"meeting:{moved}"].state == "pending"
    assert rows[f"meeting:{dropped}"].state == "cancelled"
    assert rows[f"meeting:{vanished}"].state == "cancelled"


def test_prompt_delay_setting(app, make_user):
    maya = make_user("maya@example.com", settings={"prompt_delay_minutes": 0})
    lunch = _meeting(app, maya, START)
    with app.app_context():
        plan_for_user(maya.id, START, BASE)
    assert _keys(app)[f"meeting:{lunch}"].due_at == START + timedelta(hours=1)


def test_quiet_hours_window():
    london = ZoneInfo("Europe/London")
    at = lambda h, m=0: datetime(2026, 1, 10, h, m, tzinfo=UTC)  # noqa: E731  (GMT = UTC)
    assert quiet_hours_end(at(21, 59), london, "22:00", "07:00") is None
    assert quiet_hours_end(at(22, 0), london, "22:00", "07:00") == datetime(
        2026, 1, 11, 7, 0, tzinfo=UTC)
    assert quiet_hours_end(at(3, 0), london, "22:00", "07:00") == at(7)
    assert quiet_hours_end(at(7, 0), london, "22:00", "07:00") is None
    assert quiet_hours_end(at(13, 30), london, "13:00", "14:00") == at(14)
    assert quiet_hours_end(at(13, 30), london, "09:00", "09:00") is None
    # Across a DST change the end is still 07:00 local: 06:00 UTC on 29 March in London.
    assert quiet_hours_end(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), london, "22:00",
                           "07:00") == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
