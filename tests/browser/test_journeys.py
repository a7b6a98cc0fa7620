"""Journeys a person makes on the phone, in real Chromium against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
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


def ics_with_lunch(start: datetime, end: datetime) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Rapport tests//EN",
            "BEGIN:VEVENT",
            "UID:lunch-tom-1@example.com",
            f"DTSTAMP:{start.strftime(stamp)}",
            f"DTSTART:{start.strftime(stamp)}",
            f"DTEND:{end.strftime(stamp)}",
            "SUMMARY:Lunch with Tom",
            "ORGANIZER:mailto:maya@example.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Maya Patel:mailto:maya@example.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Tom Baker:mailto:tom@example.com",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()


@pytest.mark.usefixtures("calendar_worker")
def test_meeting_on_today_opens_a_prefilled_log(page: Any) -> None:
    sign_up(page)
    tom = api_call(page, "POST", "/api/contacts", {"name": "Tom Baker", "emails": ["tom@example.com"]})[
        "body"
    ]
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    page.goto("/settings")
    page.get_by_label("Or upload an .ics file").set_input_files(
        files=[
            {
                "name": "work.ics",
                "mimeType": "text/calendar",
                "buffer": ics_with_lunch(end - timedelta(hours=1), end),
            }
        ]
    )
    expect(page.get_by_text("File received — reading it now.")).to_be_visible()
    expect(page.get_by_test_id("calendar-status")).to_have_text(
        "1 meeting found, 1 with people you know.", timeout=30_000
    )

    page.get_by_role("link", name="Today").click()
    meetings = page.get_by_test_id("meetings")
    expect(meetings).to_contain_text("Lunch with Tom")
    meetings.get_by_role("link", name="Log Lunch with Tom").click()
    page.wait_for_url("**/log?meeting=*")
    expect(page.get_by_text("Lunch with Tom")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    page.get_by_role("group", name="I gave").get_by_text("Listening").click()
    page.get_by_test_id("save-log").click()
    page.get_by_role("heading", name="Today").wait_for()

    logs = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert len(logs) == 1 and logs[0]["meeting_id"] is not None
    expect(page.get_by_test_id("meetings").get_by_role("link", name="Log Lunch with Tom")).to_have_count(0)
