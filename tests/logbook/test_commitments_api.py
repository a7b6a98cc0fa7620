"""Promises, wins, challenges, follow-ups and the Person timeline through the API."""

from __future__ import annotations

from datetime import date, timedelta

from .conftest import new_uuid


def test_promise_listed_per_contact_then_delivered(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    put_log([tom.id, ann.id], gave=[{"category": "intro", "note": "to Raj", "promised": True,
                                     "contact_id": ann.id}])
    put_log([tom.id], gave=[{"category": "gift", "promised": True, "due_on": "2025-01-01"}])
    assert [p["note"] for p in auth_client.get(f"/api/promises?contact_id={ann.id}").get_json()["items"]] == ["to Raj"]
    toms = auth_client.get(f"/api/promises?contact_id={tom.id}").get_json()["items"]
    assert [(p["category"], p["overdue"]) for p in toms] == [("gift", True)]
    delivered = auth_client.post(f"/api/promises/{toms[0]['id']}/deliver")
    assert delivered.status_code == 200
    assert delivered.get_json()["delivered_at"] is not None
    assert auth_client.get(f"/api/promises?contact_id={tom.id}").get_json()["total"] == 0
    assert auth_client.get(f"/api/promises?contact_id={tom.id}&open=0").get_json()["total"] == 1


def test_promise_of_another_user_is_404(app, auth_client, make_user, make_contact):
    from tests.conftest import login

    other = make_user("zoe@example.com")
    theirs = make_contact(other)
    zoe = app.test_client()
    login(zoe, other.email)
    body = {"occurred_at": "2025-03-01T10:00:00Z", "kind": "call", "contact_ids": [theirs.id],
            "gave": [{"category": "gift", "promised": True}]}
    item_id = zoe.put(f"/api/interactions/{new_uuid()}", json=body).get_json()["gave"][0]["id"]
    assert auth_client.post(f"/api/promises/{item_id}/deliver").status_code == 404
    assert zoe.get("/api/promises").get_json()["items"][0]["delivered_at"] is None


def test_win_stays_open_until_congratulated(auth_client, user, make_contact):
    tom = make_contact(user, name="Tom")
    win = auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "Promoted to VP", "happened_on": "2025-03-01"})
    assert win.status_code == 201
    win_id = win.get_json()["id"]
    assert auth_client.get("/api/wins?open=1").get_json()["total"] == 1
    assert auth_client.post(f"/api/wins/{win_id}/congratulate").get_json()["congratulated_at"] is not None
    assert auth_client.get("/api/wins?open=1").get_json()["total"] == 0
    assert auth_client.delete(f"/api/wins/{win_id}").status_code == 204
    assert auth_client.get("/api/wins").get_json()["total"] == 0


def test_logged_congrats_closes_wins_of_that_person_only(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    ann = make_contact(user, name="Ann")
    auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "New job", "happened_on": "2025-03-01"})
    auth_client.post(f"/api/contacts/{ann.id}/wins", json={"text": "Marathon", "happened_on": "2025-03-01"})
    auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "Later win", "happened_on": "2025-05-01"})
    put_log([tom.id, ann.id], occurred_at="2025-03-05T10:00:00Z",
            gave=[{"category": "congrats", "contact_id": tom.id}])
    still_open = auth_client.get("/api/wins?open=1").get_json()["items"]
    assert sorted(w["text"] for w in still_open) == ["Later win", "Marathon"]


def test_win_recorded_after_a_congrats_is_already_congratulated(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    put_log([tom.id], occurred_at="2025-03-05T10:00:00Z", gave=[{"category": "congrats"}])
    win = auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "New job", "happened_on": "2025-03-01"})
    assert win.get_json()["congratulated_at"] == "2025-03-05T10:00:00+00:00"


def test_deleting_or_editing_the_congrats_log_reopens_the_win(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "New job", "happened_on": "2025-03-01"})
    key = new_uuid()
    put_log([tom.id], key=key, occurred_at="2025-03-05T10:00:00Z", gave=[{"category": "congrats"}])
    assert auth_client.get("/api/wins?open=1").get_json()["total"] == 0
    # The congrats is edited away: the win is open again.
    put_log([tom.id], key=key, occurred_at="2025-03-05T10:00:00Z", gave=[{"category": "advice"}])
    assert [w["text"] for w in auth_client.get("/api/wins?open=1").get_json()["items"]] == ["New job"]
    # Put back, then the log is deleted while an earlier congrats remains: closed by that one.
    put_log([tom.id], key=key, occurred_at="2025-03-05T10:00:00Z", gave=[{"category": "congrats"}])
    put_log([tom.id], occurred_at="2025-03-03T09:00:00Z", gave=[{"category": "congrats"}])
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 204
    wins = auth_client.get("/api/wins").get_json()["items"]
    assert [w["congratulated_at"] for w in wins] == ["2025-03-03T09:00:00+00:00"]


def test_a_win_congratulated_by_hand_stays_so_when_a_log_goes(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    win = auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "Book out", "happened_on": "2025-03-01"})
    auth_client.post(f"/api/wins/{win.get_json()['id']}/congratulate")
    key = new_uuid()
    put_log([tom.id], key=key, occurred_at="2025-03-05T10:00:00Z", gave=[{"category": "congrats"}])
    assert auth_client.delete(f"/api/interactions/{key}").status_code == 204
    assert auth_client.get("/api/wins?open=1").get_json()["total"] == 0


def test_wins_validate_and_refuse_foreign_contacts(auth_client, make_user, make_contact):
    other = make_user("zoe@example.com")
    theirs = make_contact(other)
    assert auth_client.post(f"/api/contacts/{theirs.id}/wins",
                            json={"text": "x", "happened_on": "2025-03-01"}).status_code == 404
    assert auth_client.post("/api/wins/999999/congratulate").status_code == 404


def test_challenge_from_a_log_stays_open_until_resolved(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    key = new_uuid()
    put_log([tom.id], key=key, challenge="Father in hospital")
    challenges = auth_client.get(f"/api/challenges?contact_id={tom.id}&open=1").get_json()["items"]
    assert [(c["text"], c["interaction_uuid"]) for c in challenges] == [("Father in hospital", key)]
    cid = challenges[0]["id"]
    patched = auth_client.patch(f"/api/challenges/{cid}", json={"check_in_on": "2025-04-01"})
    assert patched.get_json()["check_in_on"] == "2025-04-01"
    # Editing the log keeps the same challenge row and its check-in date.
    put_log([tom.id], key=key, challenge="Father home again")
    again = auth_client.get("/api/challenges?open=1").get_json()["items"]
    assert [(c["id"], c["text"], c["check_in_on"]) for c in again] == [(cid, "Father home again", "2025-04-01")]
    assert auth_client.post(f"/api/challenges/{cid}/resolve").get_json()["resolved_at"] is not None
    assert auth_client.get("/api/challenges?open=1").get_json()["total"] == 0
    # Removing the challenge from the log removes it.
    put_log([tom.id], key=key, challenge=None)
    assert auth_client.get("/api/challenges").get_json()["total"] == 0


def test_challenge_patch_validates(auth_client, user, make_contact):
    tom = make_contact(user)
    cid = auth_client.post(f"/api/contacts/{tom.id}/challenges", json={"text": "Job search"}).get_json()["id"]
    assert auth_client.patch(f"/api/challenges/{cid}", json={"check_in_on": "soon"}).status_code == 422
    assert auth_client.patch(f"/api/challenges/{cid}", json={"check_in_on": None}).get_json()["check_in_on"] is None


def test_follow_up_done_and_snooze(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom")
    key = new_uuid()
    put_log([tom.id], key=key, follow_up_on="2025-01-15")
    due = auth_client.get("/api/follow-ups?due=1").get_json()
    assert [f["interaction_uuid"] for f in due["items"]] == [key]
    snoozed = auth_client.post(f"/api/follow-ups/{key}/snooze", json={"days": 7})
    assert snoozed.status_code == 200
    until = date.fromisoformat(snoozed.get_json()["due_on"])
    assert until > date.today() - timedelta(days=1)
    assert auth_client.get("/api/follow-ups?due=1").get_json()["total"] == 0
    assert auth_client.get("/api/follow-ups").get_json()["total"] == 1
    assert auth_client.post(f"/api/follow-ups/{key}/snooze", json={"until": "2020-01-01"}).status_code == 422
    assert auth_client.post(f"/api/follow-ups/{key}/snooze", json={}).status_code == 422
    assert auth_client.post(f"/api/follow-ups/{key}/done").get_json()["done_at"] is not None
    assert auth_client.get("/api/follow-ups").get_json()["total"] == 0


def test_follow_up_on_a_log_without_one_is_409(auth_client, user, make_contact, put_log):
    tom = make_contact(user)
    key = new_uuid()
    put_log([tom.id], key=key)
    assert auth_client.post(f"/api/follow-ups/{key}/done").status_code == 409


def test_timeline_has_everything_for_the_person_screen(auth_client, user, make_contact, put_log):
    tom = make_contact(user, name="Tom", birthday="1984-08-12")
    ann = make_contact(user, name="Ann")
    put_log([tom.id], occurred_at="2025-01-10T10:00:00Z", gave=[{"category": "advice"}])
    put_log([tom.id, ann.id], occurred_at="2025-02-10T10:00:00Z", challenge="Hiring a CTO",
            follow_up_on="2025-03-01", received=[{"category": "referral"}],
            gave=[{"category": "intro", "promised": True}])
    put_log([ann.id], occurred_at="2025-03-10T10:00:00Z")
    auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "Series A", "happened_on": "2025-02-20"})
    data = auth_client.get(f"/api/contacts/{tom.id}/timeline?per_page=1").get_json()
    assert data["contact"]["name"] == "Tom"
    assert data["contact"]["stats"]["last_interaction_at"] == "2025-02-10T10:00:00+00:00"
    assert data["interactions"]["total"] == 2
    assert [i["occurred_at"][:10] for i in data["interactions"]["items"]] == ["2025-02-10"]
    assert [c["text"] for c in data["challenges"]] == ["Hiring a CTO"]
    assert [w["text"] for w in data["wins"]] == ["Series A"]
    assert [p["category"] for p in data["promises"]] == ["intro"]
    assert [f["follow_up_on"] for f in data["follow_ups"]] == ["2025-03-01"]
    assert data["next_birthday"]["on"][5:] == "08-12"


def test_timeline_of_another_users_contact_is_404(auth_client, make_user, make_contact):
    other = make_user("zoe@example.com")
    assert auth_client.get(f"/api/contacts/{make_contact(other).id}/timeline").status_code == 404


def test_account_deletion_removes_the_log(app, auth_client, user, make_contact, put_log):
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models.interactions import Challenge, GiveTakeItem, Interaction, Win

    tom = make_contact(user)
    put_log([tom.id], gave=[{"category": "gift", "promised": True}], challenge="x")
    auth_client.post(f"/api/contacts/{tom.id}/wins", json={"text": "y", "happened_on": "2025-01-01"})
    response = auth_client.delete("/api/auth/me", json={"password": "correct horse battery"})
    assert response.status_code in (200, 204)
    with app.app_context():
        for model in (Interaction, GiveTakeItem, Challenge, Win):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
