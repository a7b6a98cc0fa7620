"""First run, as a new user: the checklist on Today from a fresh account to the first prompt,
each step done by real state; dismissed cards stay dismissed; the weekly look-back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from server.keys import vapid_public_key
from tests.push_service import PushService

from .conftest import api_call, shoot, sign_up, wait_for_service_worker
from .test_journeys import ics_with_lunch
from .test_push import STUB_SUBSCRIBE

TOM_CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Baker;Tom;;;\r\nFN:Tom Baker\r\nEMAIL:tom@example.com\r\nEND:VCARD\r\n"


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    """A local push service that decrypts what the server sends."""
    service = PushService(expected_public_key=vapid_public_key(app.config["VAPID_PRIVATE_KEY"]))
    service.start()
    yield service
    service.stop()


def step_done(page: Any, name: str) -> Any:
    return expect(page.get_by_test_id(f"step-{name}")).to_have_attribute("data-done", "true")


@pytest.mark.usefixtures("calendar_worker")
def test_checklist_from_a_fresh_account_to_the_first_prompt(
    page: Any, context: Any, live_server: Any, push_service: PushService
) -> None:
    page.add_init_script(script=f"({STUB_SUBSCRIBE})({json.dumps(push_service.new_subscription())})")
    sign_up(page)
    checklist = page.get_by_test_id("checklist")
    expect(checklist).to_contain_text("Get started · 0 of 4 done")
    expect(page.get_by_text("All clear")).to_be_visible()  # no sample data
    # The checklist must not push everything else off the first screen.
    assert checklist.bounding_box()["height"] < 844 * 0.75
    shoot(page, "first-run-checklist")
    page.get_by_text("Where do I find the link?").click()
    expect(checklist).to_contain_text("Secret address in iCal format")
    shoot(page, "first-run-calendar-help", full_page=True)

    # 1. People: the step's button opens the importer.
    page.get_by_test_id("step-people").get_by_role("link", name="Import").click()
    page.wait_for_url("**/settings#data")
    page.locator("#contacts-file").set_input_files(files=[{"name": "tom.vcf", "mimeType": "text/vcard", "buffer": TOM_CARD}])
    expect(page.get_by_test_id("import-report")).to_contain_text("1 added")
    page.get_by_role("link", name="Today").click()
    step_done(page, "people")
    expect(page.get_by_test_id("checklist")).to_contain_text("1 of 4 done")

    # 2. Calendar: the step opens Settings' calendars; an upload syncs at once.
    page.get_by_test_id("step-calendar").get_by_role("link", name="Connect").click()
    page.wait_for_url("**/settings#calendars")
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    page.get_by_label("Or upload an .ics file").set_input_files(
        files=[{"name": "work.ics", "mimeType": "text/calendar", "buffer": ics_with_lunch(end - timedelta(hours=1), end)}]
    )
    expect(page.get_by_test_id("calendar-status")).to_have_text(
        "1 meeting found, 1 with people you know.", timeout=30_000
    )
    page.get_by_role("link", name="Today").click()
    step_done(page, "calendar")

    # 3. Reminders: turned on from the checklist itself (the browser's prompt, allowed).
    wait_for_service_worker(page)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.get_by_test_id("step-reminders").get_by_role("button", name="Turn on").click()
    step_done(page, "reminders")
    assert len(api_call(page, "GET", "/api/push/subscriptions")["body"]) == 1

    # 4. The first prompt: the lunch that just ended asks to be logged.
    page.get_by_test_id("meetings").get_by_role("link", name="Log Lunch with Tom").click()
    page.wait_for_url("**/log?meeting=*")
    page.get_by_role("group", name="I gave").get_by_text("Listening").click()
    page.get_by_test_id("save-log").click()
    page.get_by_role("heading", name="Today").wait_for()
    expect(page.get_by_test_id("checklist")).to_have_count(0)
    state = api_call(page, "GET", "/api/onboarding")["body"]
    assert state["done"] is True


def test_dismissed_cards_stay_dismissed(page: Any) -> None:
    sign_up(page)
    expect(page.get_by_test_id("checklist")).to_be_visible()
    page.get_by_test_id("checklist").get_by_role("button", name="Hide").click()
    expect(page.get_by_test_id("checklist")).to_have_count(0)
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("checklist")).to_have_count(0)
    # With the checklist hidden, the reminders card takes its place, and can go too.
    card = page.get_by_test_id("reminders-card")
    expect(card).to_be_visible()
    assert card.bounding_box()["height"] < 844 / 3
    card.get_by_role("button", name="Dismiss reminders card").click()
    expect(card).to_have_count(0)
    page.goto("/people")
    page.goto("/")
    page.get_by_role("heading", name="Today").wait_for()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("reminders-card")).to_have_count(0)
    expect(page.get_by_test_id("checklist")).to_have_count(0)


def test_week_says_what_went_well_and_who_to_give_to(page: Any) -> None:
    sign_up(page)
    ana = api_call(page, "POST", "/api/contacts", {"name": "Ana Lima", "kind": "client", "emails": ["ana@example.com"]})["body"]
    due = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    body = {"occurred_at": (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0).isoformat(), "kind": "in_person",
            "contact_ids": [ana["id"]], "gave": [{"category": "intro", "promised": True, "due_on": due}, {"category": "advice"}],
            "received": []}
    assert api_call(page, "PUT", "/api/interactions/00000000-0000-4000-8000-0000000000aa", body)["status"] in (200, 201)
    page.goto("/week")
    expect(page.get_by_role("heading", name="Your week")).to_be_visible()
    expect(page.get_by_test_id("went-well")).to_contain_text("You logged 1 conversation.")
    expect(page.get_by_test_id("went-well")).to_contain_text("You gave once.")
    give = page.get_by_test_id("give-to")
    expect(give).to_contain_text("Owed a promise")
    expect(give).to_contain_text("You promised Ana Lima an introduction — it is overdue.")
    expect(give.get_by_role("link", name="Message Ana Lima")).to_have_attribute("href", "mailto:ana@example.com")
    shoot(page, "week")
