"""Habits in words on a hand-built account: the sentences, the trend, and the next step naming
the right person, with Log and Message that work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up


def _ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()


def _log(page: Any, key: str, contact: int, days: int, **fields: Any) -> None:
    body = {"occurred_at": _ago(days), "kind": "call", "contact_ids": [contact], "gave": [], "received": []}
    body.update(fields)
    assert api_call(page, "PUT", f"/api/interactions/{key}", body)["status"] in (200, 201)


def test_habits_speak_in_sentences_and_name_who_to_reach(page: Any) -> None:
    sign_up(page)
    priya = api_call(page, "POST", "/api/contacts", {"name": "Priya Shah", "kind": "client", "phones": ["+44 7700 900456"]})["body"]
    tom = api_call(page, "POST", "/api/contacts", {"name": "Tom Baker", "kind": "peer"})["body"]
    # Priya: last heard from 94 days ago (client cadence 30): the most lapsed person.
    _log(page, "00000000-0000-4000-8000-000000000001", priya["id"], 94, gave=[{"category": "advice"}])
    # Tom: five recent calls, giving and listening; received advice twice.
    for n in range(5):
        _log(page, f"00000000-0000-4000-8000-00000000001{n}", tom["id"], n + 1,
             gave=[{"category": "listening"}], received=[{"category": "advice"}] if n < 2 else [])
    page.goto("/habits")
    giving = page.locator("[data-habit=giving]")
    # Window: the five Tom calls (Priya's is 94 days back): gave 5, received 2.
    expect(giving).to_contain_text("You gave 5 times and received 2 in 90 days — you give first.")
    expect(giving).to_contain_text("100 out of 100")
    work = page.locator("[data-habit=work]")
    expect(work).to_contain_text("1 of 2 people heard from you on time; 1 is overdue.")
    expect(work.get_by_test_id("next-step")).to_contain_text("Priya Shah hasn't heard from you in 94 days.")
    expect(work.get_by_role("link", name="Message Priya Shah")).to_have_attribute("href", "sms:+447700900456")
    friendship = page.locator("[data-habit=friendship]")
    expect(friendship).to_contain_text("Not enough yet")
    # No raw metric names anywhere on the screen.
    text = page.locator("main").inner_text()
    for raw in ("Core met in person", "Expected", "Heard", "caring_logs", "Within cadence"):
        assert raw not in text
    shoot(page, "habits-coach", full_page=True)
    work.get_by_role("link", name="Log a conversation with Priya Shah").click()
    page.wait_for_url(f"**/log?contact={priya['id']}")
