"""The main screens run a fixed number of SQL statements, however much the account holds."""

from __future__ import annotations

import pytest

from .conftest import counted, entry, new_uuid


@pytest.fixture
def busy_account(auth_client, user, make_contact):
    """Maya with 30 people; Ann is in 25 logs, each with two others and given/received items."""
    people = [make_contact(user, name=f"Person {n}", emails=[f"p{n}@example.com"]) for n in range(30)]
    ann = people[0]
    for n in range(25):
        others = [people[1 + n % 29].id, people[1 + (n + 7) % 29].id]
        response = auth_client.put(
            f"/api/interactions/{new_uuid()}",
            json=entry(
                [ann.id, *others],
                occurred_at=f"2025-0{1 + n % 6}-{10 + n % 15}T12:00:00+00:00",
                gave=[{"category": "advice", "note": f"tip {n}"}],
                received=[{"category": "intro", "note": "", "promised": False}],
                challenge="Hiring" if n % 5 == 0 else None,
                follow_up_on="2025-06-01" if n % 6 == 0 else None,
            ),
        )
        assert response.status_code == 201, response.get_json()
    return people


def test_a_timeline_page_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    ann = busy_account[0]
    with counted(app) as statements:
        response = auth_client.get(f"/api/contacts/{ann.id}/timeline")
    assert response.status_code == 200
    assert len(response.get_json()["interactions"]["items"]) == 20
    # Session and user 2, the card with addresses and tags 3, its give/take 1, the page with
    # its people, items and wins 4, its total 1, challenges, wins, promises 3, follow-ups with
    # their people 2, every name on the screen 1.
    assert len(statements) <= 17, "\n".join(statements)


def test_a_search_page_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    with counted(app) as statements:
        response = auth_client.get("/api/contacts?q=person&per_page=25")
    assert response.get_json()["total"] == 30
    # Session and user 2, the page 1, its addresses and tags 2, its total 1, give/take 1.
    assert len(statements) <= 7, "\n".join(statements)


def test_logging_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    people = busy_account
    body = entry([people[0].id, people[1].id], gave=[{"category": "advice", "note": "x"}])
    with counted(app) as statements:
        response = auth_client.put(f"/api/interactions/{new_uuid()}", json=body)
    assert response.status_code == 201
    # Session and user 2; the write lock, the owner check, the people's owner 3 (the user
    # read at the start stands for the request); the log, its item, its two links, the mark
    # 5; both people's last-seen times 1; both people's kept 12-month give/take, counted and
    # kept 2; the names 1. A new log has no challenges or win to look up, and the answer is
    # made from what was just written, not read back.
    assert len(statements) <= 14, "\n".join(statements)


def test_rebuilding_habits_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    with counted(app) as statements:
        response = auth_client.get("/api/habits?days=365")
    assert response.headers["Cache-Status"].startswith("Rapport; fwd=miss")
    blocks = [b for b in response.get_json().values() if isinstance(b, dict) and "next_action" in b]
    steps = [b["next_action"] for b in blocks]
    assert any(step and step["message_url"] == "mailto:p0@example.com" for step in steps)
    # The mark and the cadences in use 2; each window's figures and birthdays 4; the coach's
    # lists 12; two lookups of how to reach every person named, however many steps name someone.
    assert len(statements) <= 20, "\n".join(statements)


def test_rebuilding_today_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    with counted(app) as statements:
        response = auth_client.get("/api/today?limit=5")
    assert response.headers["Cache-Status"].startswith("Rapport; fwd=miss")
    assert response.get_json()["overdue"]["total"] == 30
    # The mark and the cadences in use 2; meetings today and to log 2; birthdays, overdue and
    # face time 3; follow-ups with their people and names 3; check-ins, wins 2; promises 1;
    # give first 1; the session's user 1.
    assert len(statements) <= 15, "\n".join(statements)


def test_today_and_habits_run_as_many_statements_for_a_bigger_account(app, auth_client, user, make_contact):
    def add_people(n: int) -> None:
        """`n` mentors with a birthday, each in a log with the next: a promise, advice
        received, a challenge, a follow-up and a win."""
        ids = [make_contact(user, name=f"Mentor {n}", kind="mentor", birthday="--06-01").id for n in range(n)]
        for k, contact_id in enumerate(ids):
            response = auth_client.put(f"/api/interactions/{new_uuid()}", json=entry(
                [contact_id, ids[(k + 1) % n]], occurred_at=f"2025-05-{1 + k % 28:02d}T12:00:00+00:00",
                gave=[{"category": "advice", "promised": True, "due_on": "2025-05-20"}],
                received=[{"category": "feedback"}], challenge="Moving", follow_up_on="2025-05-30",
                win={"text": "Promoted"},
            ))
            assert response.status_code == 201, response.get_json()

    def rebuilt(n: int) -> list[int]:
        counts = []
        for path in (f"/api/today?limit={n}", f"/api/habits?days={30 + n}"):
            with counted(app) as statements:
                assert auth_client.get(path).headers["Cache-Status"].startswith("Rapport; fwd=miss")
            counts.append(len(statements))
        return counts

    add_people(3)
    few = rebuilt(1)
    add_people(30)
    assert rebuilt(2) == few
