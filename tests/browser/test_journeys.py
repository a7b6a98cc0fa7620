"""Journeys a person makes on the phone, in real Chromium against the real server."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up
from .test_people import add_person


def test_sign_up_add_person_log_and_see_balance(page: Any) -> None:
    sign_up(page)
    add_person(page, "Tom Baker", **{"Company": "Acme", "E-mail": "tom@example.com"})
    expect(page.get_by_test_id("gave-count")).to_have_text("0")

    page.get_by_role("link", name="Log").first.click()
    page.get_by_role("heading", name="Log").wait_for()
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    page.get_by_role("group", name="I gave").get_by_text("Intro").click()
    page.get_by_role("group", name="I gave").get_by_text("Advice").click()
    page.get_by_role("group", name="I got").get_by_text("Referral").click()
    page.get_by_label("On their mind (their challenge)").fill("Hiring a CTO")
    page.get_by_role("radiogroup", name="Follow up in").get_by_text("1 month").click()
    page.get_by_test_id("save-log").click()

    page.get_by_role("heading", name="Tom Baker").wait_for()
    expect(page.get_by_test_id("gave-count")).to_have_text("2")
    expect(page.get_by_test_id("got-count")).to_have_text("1")
    expect(page.get_by_test_id("balance")).to_contain_text("ahead")
    expect(page.get_by_text("On their mind: Hiring a CTO")).to_be_visible()
    shoot(page, "person")

    contacts = api_call(page, "GET", "/api/contacts?q=Tom")["body"]["items"]
    logs = api_call(page, "GET", f"/api/interactions?contact_id={contacts[0]['id']}")["body"]
    items = logs["items"] if isinstance(logs, dict) else logs
    assert len(items) == 1
    assert {g["category"] for g in items[0]["gave"]} == {"intro", "advice"}
    assert items[0]["challenge"] == "Hiring a CTO"
