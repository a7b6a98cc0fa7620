"""The 12-month give/take kept on each person (server/models/balances.py): equal to the sums of
their links after every kind of write, counted again when the window moves past a log, and
"give first" the same whether a person's kept sums hold or are read from the links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.extensions import db
from server.logbook.stats import give_take_counts
from server.logbook.today import give_first
from server.models import Contact, User, utcnow
from server.models.balances import BALANCE_WINDOW, balance_window
from server.models.interactions import Interaction
from server.worker import count_due_balances

from .conftest import new_uuid


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def linked_sums(app, user, now):
    """Each person's window sums read from the links, as "give first" read them before."""
    with app.app_context():
        rows = db.session.execute(give_take_counts(user.id, *balance_window(now))).all()
        return {row.contact_id: (int(row.gave), int(row.received)) for row in rows if row.gave or row.received}


def kept_sums(app, user, now):
    """Each person's kept sums, asserting they hold at `now`."""
    with app.app_context():
        contacts = db.session.query(Contact).filter(Contact.user_id == user.id).all()
        for contact in contacts:
            assert contact.balance_at <= now < contact.balance_until, contact.name
            assert contact.balance == contact.balance_gave - contact.balance_received
        return {c.id: (c.balance_gave, c.balance_received) for c in contacts if c.balance_gave or c.balance_received}


def owed(app, user, now):
    with app.app_context():
        block = give_first(db.session.get(User, user.id), now, 10)
        return [(i["contact"]["name"], i["gave"], i["received"]) for i in block["items"]], block["total"]


def forget_spans(app, user, contact_ids):
    """As a migrated database starts: the people not counted yet."""
    with app.app_context():
        db.session.execute(update(Contact).where(Contact.id.in_(contact_ids)).values(balance_until=None))
        db.session.commit()


def test_every_write_keeps_the_sums(app, auth_client, user, make_contact, put_log):
    tom, ann = make_contact(user, name="Tom"), make_contact(user, name="Ann")
    week_ago = iso(utcnow() - timedelta(days=7))
    key = new_uuid()
    assert put_log([tom.id, ann.id], key=key, occurred_at=week_ago,
                   gave=[{"category": "advice"}],
                   received=[{"category": "intro"}, {"category": "time", "contact_id": ann.id}]).status_code == 201
    assert kept_sums(app, user, utcnow()) == linked_sums(app, user, utcnow()) == {tom.id: (1, 1), ann.id: (1, 2)}

    # An edit that changes the items and takes Ann out of the log.
    assert put_log([tom.id], key=key, occurred_at=week_ago, gave=[{"category": "gift"}, {"category": "advice"}],
                   received=[]).status_code == 200
    assert kept_sums(app, user, utcnow()) == linked_sums(app, user, utcnow()) == {tom.id: (2, 0)}

    # A promise counts as given once kept.
    made = put_log([ann.id], occurred_at=week_ago, received=[{"category": "referral"}],
                   gave=[{"category": "intro", "promised": True}]).get_json()
    assert kept_sums(app, user, utcnow()) == {tom.id: (2, 0), ann.id: (0, 1)}
    assert auth_client.post(f"/api/promises/{made['gave'][0]['id']}/deliver").status_code == 200
    assert kept_sums(app, user, utcnow()) == linked_sums(app, user, utcnow()) == {tom.id: (2, 0), ann.id: (1, 1)}

    # A log deleted, and one older than the window (it counts for nobody).
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 204
    assert put_log([tom.id], occurred_at=iso(utcnow() - timedelta(days=400)),
                   received=[{"category": "favor"}]).status_code == 201
    assert kept_sums(app, user, utcnow()) == linked_sums(app, user, utcnow()) == {ann.id: (1, 1)}


def test_the_span_ends_when_a_log_leaves_or_enters_the_window(app, user, make_contact, put_log):
    tom, ann = make_contact(user, name="Tom"), make_contact(user, name="Ann")
    now = utcnow()
    old, ahead = now - timedelta(days=300), now + timedelta(days=3)
    put_log([tom.id], occurred_at=iso(old), received=[{"category": "advice"}])
    key = new_uuid()
    put_log([ann.id], key=key, occurred_at=iso(now), received=[{"category": "advice"}])
    with app.app_context():  # dated ahead by a script (the API takes a day ahead at most)
        db.session.query(Interaction).filter(Interaction.uuid == key).one().occurred_at = ahead
        db.session.commit()
        spans = {c.id: c.balance_until for c in db.session.query(Contact).filter(Contact.user_id == user.id)}
    assert abs(spans[tom.id] - (old + BALANCE_WINDOW)) < timedelta(seconds=1)
    assert abs(spans[ann.id] - (ahead - timedelta(days=1))) < timedelta(seconds=1)

    assert owed(app, user, now) == ([("Tom", 0, 1)], 1)  # Ann's log is three days ahead
    later = now + timedelta(days=2, hours=12)  # Ann's log has entered the window
    assert owed(app, user, later) == ([("Tom", 0, 1), ("Ann", 0, 1)], 2)
    gone = now + timedelta(days=70)  # Tom's has left it
    assert owed(app, user, gone) == ([("Ann", 0, 1)], 1)
    assert owed(app, user, now - timedelta(days=302)) == ([], 0)  # before either was logged

    # The worker counts them again once their span has ended.
    with app.app_context():
        assert count_due_balances(gone) == 2
        assert count_due_balances(gone) == 0
    assert kept_sums(app, user, gone) == {ann.id: (0, 1)}
    assert owed(app, user, gone) == ([("Ann", 0, 1)], 1)


def test_give_first_is_the_same_from_kept_and_from_linked_sums(app, user, make_contact, put_log):
    people = [make_contact(user, name=name) for name in ("Ann", "Bob", "Cat", "Dan", "Eve")]
    recent = iso(utcnow() - timedelta(days=20))
    for n, person in enumerate(people):
        put_log([person.id], occurred_at=recent, gave=[{"category": "gift"}] * (n % 2),
                received=[{"category": "advice"}] * n)
    put_log([people[1].id, people[4].id], occurred_at=recent, received=[{"category": "intro"}])
    now = utcnow()
    expected = ([("Eve", 0, 5), ("Cat", 0, 2), ("Dan", 1, 3), ("Bob", 1, 2)], 4)  # ties by who came first
    assert owed(app, user, now) == expected
    forget_spans(app, user, [people[2].id, people[4].id])  # some counted, some not
    assert owed(app, user, now) == expected
    forget_spans(app, user, [p.id for p in people])
    assert owed(app, user, now) == expected
    with app.app_context():
        assert count_due_balances(now) == 5
    assert kept_sums(app, user, now) == linked_sums(app, user, now)
    assert owed(app, user, now) == expected
