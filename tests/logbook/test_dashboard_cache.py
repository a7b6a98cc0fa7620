"""Today and Habits answers are kept per user until a write, a new day or a minute changes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.api import dashboard
from server.extensions import db
from server.models.planning import ReplanMark

from ..conftest import login
from .conftest import counted, entry

NOW = datetime(2025, 6, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The dashboards' clock, set by the test."""
    now = {"at": NOW}
    monkeypatch.setattr(dashboard, "utcnow", lambda: now["at"])
    return now


def cache_status(response) -> str:
    return response.headers["Cache-Status"]


@pytest.mark.parametrize("path", ["/api/today", "/api/habits?days=90"])
def test_second_read_is_a_hit_that_reads_only_who_and_the_version(app, auth_client, user, make_contact, clock, path):
    make_contact(user, name="Ann Lee")
    first = auth_client.get(path)
    assert cache_status(first) == "Rapport; fwd=miss; stored"
    with counted(app) as statements:
        second = auth_client.get(path)
    assert cache_status(second) == "Rapport; hit"
    assert second.get_json() == first.get_json()
    # The session, its user and the user's mark version: nothing of the read model.
    assert len(statements) <= 3, statements


def test_a_log_written_shows_on_today_at_once(auth_client, user, make_contact, clock):
    ann = make_contact(user, name="Ann Lee")
    assert auth_client.get("/api/today").get_json()["follow_ups"]["total"] == 0
    logged = auth_client.put(
        "/api/interactions/7a1f1c3e-4d55-4c1a-9c0a-1d3f5e6a7b8c",
        json=entry([ann.id], occurred_at="2025-06-10T12:00:00+00:00", follow_up_on="2025-06-15"),
    )
    assert logged.status_code == 201
    after = auth_client.get("/api/today")
    assert cache_status(after).startswith("Rapport; fwd=miss")
    assert [p["name"] for p in after.get_json()["follow_ups"]["items"][0]["people"]] == ["Ann Lee"]


def test_a_log_written_counts_on_habits_at_once(auth_client, user, make_contact, clock):
    ann = make_contact(user, name="Ann Lee")
    before = auth_client.get("/api/habits?days=90").get_json()["empathy"]["logs"]
    auth_client.put(
        "/api/interactions/0b9d6a52-3b8e-4f61-8d4e-2a7c9e1f3b5d",
        json=entry([ann.id], occurred_at="2025-06-15T09:00:00+00:00"),
    )
    after = auth_client.get("/api/habits?days=90")
    assert cache_status(after).startswith("Rapport; fwd=miss")
    assert after.get_json()["empathy"]["logs"] == before + 1


def test_a_write_through_another_web_process_is_seen(app, app_factory, auth_client, user, make_contact, clock):
    ann = make_contact(user, name="Ann Lee")
    assert auth_client.get("/api/today").get_json()["follow_ups"]["total"] == 0
    other = app_factory().test_client()  # a second web process: its own cache, same database
    login(other, user.email)
    other.put(
        "/api/interactions/5c2e8f14-9a3b-4d7e-b6c1-0f2a4e8d9c3b",
        json=entry([ann.id], occurred_at="2025-06-10T12:00:00+00:00", follow_up_on="2025-06-15"),
    )
    assert auth_client.get("/api/today").get_json()["follow_ups"]["total"] == 1


def test_one_users_answer_is_never_served_to_another(app, auth_client, user, make_user, make_contact, clock):
    make_contact(user, name="Maya's friend", birthday="--06-20")
    tom = make_user("tom@example.com", name="Tom", timezone="Europe/London")
    make_contact(tom, name="Tom's friend", birthday="--06-21")
    mine = auth_client.get("/api/today").get_json()["birthdays"]["items"]
    theirs_client = app.test_client()
    login(theirs_client, tom.email)
    theirs = theirs_client.get("/api/today")
    assert cache_status(theirs).startswith("Rapport; fwd=miss")
    assert [b["contact"]["name"] for b in mine] == ["Maya's friend"]
    assert [b["contact"]["name"] for b in theirs.get_json()["birthdays"]["items"]] == ["Tom's friend"]


def test_an_answer_is_rebuilt_after_a_minute_and_on_a_new_day(auth_client, user, clock):
    auth_client.get("/api/today")
    clock["at"] = NOW + timedelta(seconds=59)
    assert cache_status(auth_client.get("/api/today")) == "Rapport; hit"
    clock["at"] = NOW + timedelta(seconds=61)
    assert cache_status(auth_client.get("/api/today")).startswith("Rapport; fwd=miss")
    clock["at"] = datetime(2025, 6, 16, 22, 59, 30, tzinfo=UTC)  # 23:59:30 in London
    auth_client.get("/api/today")
    clock["at"] = datetime(2025, 6, 16, 23, 0, 10, tzinfo=UTC)  # past midnight in London
    moved = auth_client.get("/api/today")
    assert cache_status(moved).startswith("Rapport; fwd=miss")
    assert moved.get_json()["date"] == "2025-06-17"


def test_arguments_are_part_of_the_key(auth_client, clock):
    auth_client.get("/api/habits?days=90")
    other = auth_client.get("/api/habits?days=30")
    assert cache_status(other).startswith("Rapport; fwd=miss")
    assert other.get_json()["days"] == 30


def test_changing_only_an_address_bumps_the_mark(app, auth_client, user, make_contact):
    ann = make_contact(user, name="Ann Lee", emails=["ann@example.com"])

    def version() -> int:
        with app.app_context():
            return db.session.scalar(select(ReplanMark.version).where(ReplanMark.user_id == user.id))

    before = version()
    response = auth_client.patch(f"/api/contacts/{ann.id}", json={"emails": ["ann@work.example"]})
    assert response.status_code == 200
    assert version() > before
