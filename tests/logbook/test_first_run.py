"""First run and the weekly look-back: the checklist marked done by real state, and the week's
good things and who to give to, with the reason for each."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest

from server.calendars.scheduler import sync_due_calendars
from server.keys import vapid_public_key
from server.models import utcnow
from tests.calendars.icsbuild import vcalendar, vevent
from tests.push_service import PushService


@pytest.fixture
def push_service(app):
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    yield service
    service.stop()


def _lunch_today() -> bytes:
    start = utcnow().replace(microsecond=0) - timedelta(hours=3)
    stamp = "%Y%m%dT%H%M%SZ"
    return vcalendar(vevent(
        dtstart=start.strftime(stamp), dtend=(start + timedelta(hours=1)).strftime(stamp),
        attendee=";CN=Tom Baker:mailto:tom@baker.example",
    ))


def steps(client) -> dict[str, bool]:
    state = client.get("/api/onboarding").get_json()
    return {step["key"]: step["done"] for step in state["steps"]} | {"all": state["done"]}


def test_checklist_steps_are_done_by_what_the_account_holds(app, auth_client, push_service, put_log):
    assert steps(auth_client) == {
        "people": False, "calendar": False, "reminders": False, "first_log": False, "all": False,
    }
    tom = auth_client.post("/api/contacts", json={"name": "Tom Baker"}).get_json()
    assert steps(auth_client)["people"] is True
    uploaded = auth_client.post(
        "/api/calendars/upload", data={"file": (BytesIO(_lunch_today()), "work.ics")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 202
    assert steps(auth_client)["calendar"] is False  # received, not read yet
    with app.app_context():
        sync_due_calendars(utcnow(), app)  # the worker's pass reads it
    assert steps(auth_client)["calendar"] is True
    assert auth_client.post("/api/push/subscriptions", json=push_service.new_subscription()).status_code == 201
    assert steps(auth_client)["reminders"] is True
    put_log([tom["id"]])
    assert steps(auth_client) == {
        "people": True, "calendar": True, "reminders": True, "first_log": True, "all": True,
    }


def test_a_calendar_that_never_synced_is_not_done(auth_client):
    made = auth_client.post("/api/calendars", json={"url": "https://calendar.example/secret.ics"})
    assert made.status_code == 201
    assert steps(auth_client)["calendar"] is False


def test_checklist_is_the_users_own(app, auth_client, make_user, make_contact):
    other = make_user("other@example.com")
    make_contact(other, name="Not Maya's")
    assert steps(auth_client)["people"] is False


def test_week_names_who_to_give_to_and_why(auth_client, put_log):
    ana = auth_client.post("/api/contacts", json={"name": "Ana", "kind": "client", "emails": ["ana@example.com"]}).get_json()
    ben = auth_client.post("/api/contacts", json={"name": "Ben", "kind": "friend"}).get_json()
    cy = auth_client.post("/api/contacts", json={"name": "Cy", "kind": "peer"}).get_json()
    now = utcnow()
    # Ana: an intro promised three days ago, due yesterday (owed a promise).
    put_log([ana["id"]], occurred_at=(now - timedelta(days=3)).isoformat(), kind="in_person",
            gave=[{"category": "intro", "promised": True, "due_on": (now - timedelta(days=1)).date().isoformat()},
                  {"category": "advice"}],
            received=[{"category": "feedback"}])
    # Ben: a challenge with a check-in that came yesterday; a listening call.
    put_log([ben["id"]], occurred_at=(now - timedelta(days=2)).isoformat(), kind="call",
            gave=[{"category": "listening"}], challenge="Moving house",
            challenge_check_in_on=(now - timedelta(days=1)).date().isoformat())
    # Cy: a win to congratulate; last talked 200 days ago, far past a 90-day rhythm.
    put_log([cy["id"]], occurred_at=(now - timedelta(days=200)).isoformat(), kind="call")
    auth_client.post(f"/api/contacts/{cy['id']}/wins", json={"text": "Promoted", "happened_on": (now - timedelta(days=1)).date().isoformat()})
    week = auth_client.get("/api/week").get_json()
    assert week["logs"] == 2
    assert week["went_well"] == [
        "You logged 2 conversations.",
        "You met people in person once.",
        "You gave twice and received 1.",
        "You noted what was on their mind once.",  # Ben's call: a challenge and listening
    ]
    assert [(p["contact"]["name"], p["reason"], p["text"]) for p in week["give_to"]] == [
        ("Ana", "promise", "You promised Ana an introduction — it is overdue."),
        ("Cy", "win", "Congratulate Cy: Promoted."),  # Cy is drifting too: one line, the first reason
        ("Ben", "challenge", "Ask Ben how “Moving house” is going."),
    ]
    assert week["give_to"][0]["message_url"] == "mailto:ana@example.com"


def test_week_of_a_new_account_is_empty_not_made_up(auth_client):
    week = auth_client.get("/api/week").get_json()
    assert (week["logs"], week["went_well"], week["give_to"]) == (0, [], [])
