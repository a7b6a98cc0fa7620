"""A win noted in a log entry: one per entry, kept in step with it, gone with it, nudged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.extensions import db
from server.models.interactions import Win
from server.models.planning import ReplanMark
from server.models.push import Notification
from server.reminders.planning import plan_all
from tests.conftest import login
from tests.reminders.conftest import BASE

from .conftest import entry, new_uuid

# 00:30 on 11 July in London (summer time): the win happened on the log's local day.
LATE = "2026-07-10T23:30:00+00:00"


def _wins(app: Any) -> list[tuple[int, int, str, str, bool, int | None]]:
    with app.app_context():
        db.session.expire_all()
        return [
            (w.id, w.contact_id, w.text, w.happened_on.isoformat(), w.big, w.interaction_id)
            for w in db.session.scalars(select(Win).order_by(Win.id))
        ]


def test_a_log_notes_a_win_once_however_often_it_is_replayed(app, auth_client, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    key = new_uuid()
    body = entry([ana.id], occurred_at=LATE, win={"text": "closed her seed round", "big": True})
    first = auth_client.put(f"/api/interactions/{key}", json=body)
    again = auth_client.put(f"/api/interactions/{key}", json=body)
    assert (first.status_code, again.status_code) == (201, 200), first.get_json()
    assert again.get_json() == first.get_json()
    [(win_id, contact_id, text, day, big, _)] = _wins(app)
    assert (contact_id, text, day, big) == (ana.id, "closed her seed round", "2026-07-11", True)
    assert first.get_json()["win"] == {
        "id": win_id, "contact_id": ana.id, "text": "closed her seed round", "big": True,
        "happened_on": "2026-07-11", "congratulated_at": None,
    }
    listed = auth_client.get(f"/api/wins?contact_id={ana.id}").get_json()["items"]
    assert [w["id"] for w in listed] == [win_id]


def test_the_win_is_the_first_persons_unless_the_log_names_one(app, put_log, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    tom = make_contact(user, name="Tom Baker")
    assert put_log([ana.id, tom.id], win={"text": "promoted"}).status_code == 201
    assert put_log([ana.id, tom.id], win={"text": "new flat", "contact_id": tom.id}).status_code == 201
    assert [(w[1], w[2]) for w in _wins(app)] == [(ana.id, "promoted"), (tom.id, "new flat")]


def test_a_win_for_someone_not_in_the_log_or_not_mine_is_refused(
        app, auth_client, put_log, user, make_user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    tom = make_contact(user, name="Tom Baker")
    zoe = make_contact(make_user("zoe@example.com"), name="Zoe")
    refused = put_log([ana.id], win={"text": "promoted", "contact_id": tom.id})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["win"] == {"contact_id": ["Not one of this log's people."]}
    assert put_log([zoe.id], win={"text": "promoted"}).status_code == 404
    assert put_log([ana.id], win={"text": "promoted", "contact_id": zoe.id}).status_code == 422
    assert put_log([ana.id], win={"text": ""}).status_code == 422
    assert put_log([ana.id], win={"text": "x" * 501}).status_code == 422
    assert put_log([ana.id], win={"text": "promoted", "huge": True}).status_code == 422
    assert _wins(app) == []


def test_editing_the_log_updates_its_win_and_dropping_it_keeps_hand_recorded_ones(
        app, auth_client, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    tom = make_contact(user, name="Tom Baker")
    by_hand = auth_client.post(f"/api/contacts/{ana.id}/wins",
                               json={"text": "ran a marathon", "happened_on": "2026-07-01"})
    assert by_hand.status_code == 201
    key = new_uuid()
    put = auth_client.put(f"/api/interactions/{key}",
                          json=entry([ana.id], occurred_at=LATE, win={"text": "promoted"}))
    win_id = put.get_json()["win"]["id"]
    edited = entry([tom.id], occurred_at="2026-07-12T10:00:00+00:00",
                   win={"text": "promoted to VP", "big": True})
    response = auth_client.put(f"/api/interactions/{key}", json=edited)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["win"]["id"] == win_id
    hand = (by_hand.get_json()["id"], ana.id, "ran a marathon", "2026-07-01", False, None)
    log_id = _wins(app)[1][5]
    assert _wins(app) == [hand, (win_id, tom.id, "promoted to VP", "2026-07-12", True, log_id)]
    dropped = auth_client.put(f"/api/interactions/{key}", json={**edited, "win": None})
    assert dropped.status_code == 200 and dropped.get_json()["win"] is None
    assert _wins(app) == [hand]


def test_deleting_the_log_removes_its_win_only(app, auth_client, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    auth_client.post(f"/api/contacts/{ana.id}/wins",
                     json={"text": "ran a marathon", "happened_on": "2026-07-01"})
    key = new_uuid()
    auth_client.put(f"/api/interactions/{key}", json=entry([ana.id], win={"text": "promoted"}))
    assert len(_wins(app)) == 2
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 204
    assert [w[2] for w in _wins(app)] == ["ran a marathon"]


def test_another_user_cannot_reach_a_log_win(app, auth_client, user, make_user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    key = new_uuid()
    auth_client.put(f"/api/interactions/{key}", json=entry([ana.id], win={"text": "promoted"}))
    other = make_user("zoe@example.com")
    zoe_client = app.test_client()
    login(zoe_client, other.email)
    zoe_ana = make_contact(other, name="Ana")
    body = entry([zoe_ana.id], win={"text": "mine now"})
    assert zoe_client.put(f"/api/interactions/{key}", json=body).status_code == 404
    assert zoe_client.delete(f"/api/interactions/{key}").status_code == 404
    assert [w[2] for w in _wins(app)] == ["promoted"]


def test_a_congrats_in_the_same_log_closes_its_win(app, put_log, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    response = put_log([ana.id], win={"text": "promoted"}, gave=[{"category": "congrats"}])
    assert response.status_code == 201
    assert response.get_json()["win"]["congratulated_at"] == "2025-03-10T12:30:00+00:00"


def test_a_win_noted_in_a_log_is_nudged_and_its_edits_mark_the_user(
        app, auth_client, user, make_contact):
    ana = make_contact(user, name="Ana Lima")
    key = new_uuid()
    body = entry([ana.id], occurred_at=LATE, win={"text": "closed her seed round"})
    win_id = auth_client.put(f"/api/interactions/{key}", json=body).get_json()["win"]["id"]
    with app.app_context():
        created = db.session.get(Win, win_id).created_at
        plan_all(created, BASE)
        row = db.session.scalar(select(Notification).where(Notification.key == f"win:{win_id}"))
        assert row is not None and row.subject_id == win_id
        assert row.payload["title"] == "Congratulate Ana: closed her seed round"

    def marked() -> bool:
        with app.app_context():
            mark = db.session.get(ReplanMark, user.id)
            return mark.version > mark.planned_version

    assert not marked()
    body["win"] = {"text": "closed her seed round", "big": True}
    assert auth_client.put(f"/api/interactions/{key}", json=body).status_code == 200
    assert marked()
    with app.app_context():
        plan_all(created, BASE)
    assert not marked()
    assert auth_client.put(f"/api/interactions/{key}", json={**body, "win": None}).status_code == 200
    assert marked()
