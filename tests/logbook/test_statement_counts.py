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
    # Session and user 2; the write lock, the owner check, the user again (the lock began a
    # new transaction), the people's owner 4; the log, its item, its two links, the mark 5;
    # the challenges 1; both people's last-seen times 1; after the commit, the user and the
    # log with its links, items and win 5; the names 1.
    assert len(statements) <= 19, "\n".join(statements)


def test_rebuilding_habits_runs_a_fixed_number_of_statements(app, auth_client, busy_account):
    with counted(app) as statements:
        response = auth_client.get("/api/habits?days=365")
    assert response.headers["Cache-Status"].startswith("Rapport; fwd=miss")
    blocks = [b for b in response.get_json().values() if isinstance(b, dict) and "next_action" in b]
    steps = [b["next_action"] for b in blocks]
    assert any(step and step["message_url"] == "mailto:p0@example.com" for step in steps)
    # Session and user 2, the mark 1; both windows' figures, birthdays and the coach's lists;
    # two lookups of how to reach every person named, however many steps name someone.
    assert len(statements) <= 23, "\n".join(statements)
