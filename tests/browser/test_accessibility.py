"""axe-core on every screen, light and dark, at phone size: no serious or critical violation
(contrast of every text and of the Gave/Got badges included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PHONE, api_call, sign_up

SERIOUS = ("serious", "critical")
AXE = Axe()


def _violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings on the page, one line each."""
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        f" {[n.get('failureSummary', '')[:160] for n in v['nodes'][:1]]}"
        for v in found
        if v["impact"] in SERIOUS
    ]


def _check(page: Any, name: str, problems: list[str]) -> None:
    page.locator("h1").first.wait_for()
    page.wait_for_load_state("networkidle")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        problems.extend(f"{name} [{scheme}] {line}" for line in _violations(page))
    page.emulate_media(color_scheme="light")


def _signed_out_screens(browser: Any, live_server: Any, problems: list[str]) -> None:
    ctx = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, locale="en-GB")
    try:
        page = ctx.new_page()
        for name, path in (("welcome", "/welcome"), ("login", "/login"), ("join", "/join?code=nope")):
            page.goto(path)
            _check(page, name, problems)
    finally:
        ctx.close()


def _data(page: Any) -> dict[str, Any]:
    tom = api_call(page, "POST", "/api/contacts", {
        "name": "Tom Baker", "kind": "client", "emails": ["tom@example.com"], "phones": ["+44 7700 900123"],
        "birthday": (datetime.now(UTC) + timedelta(days=3)).strftime("--%m-%d"),
    })["body"]
    when = (datetime.now(UTC) - timedelta(days=40)).replace(microsecond=0).isoformat()
    api_call(page, "PUT", "/api/interactions/00000000-0000-4000-8000-0000000000a1", {
        "occurred_at": when, "kind": "in_person", "contact_ids": [tom["id"]],
        "gave": [{"category": "intro", "promised": True, "due_on": "2020-01-01"}, {"category": "advice"}],
        "received": [{"category": "feedback"}], "challenge": "Hiring a CTO", "challenge_check_in_on": "2020-01-02",
        "follow_up_on": "2020-01-03",
    })
    api_call(page, "POST", f"/api/contacts/{tom['id']}/wins", {"text": "Closed a round", "happened_on": datetime.now(UTC).date().isoformat()})
    return tom


def test_every_screen_has_no_serious_accessibility_violation(page: Any, browser: Any, live_server: Any) -> None:
    problems: list[str] = []
    _signed_out_screens(browser, live_server, problems)
    sign_up(page)
    _check(page, "today-first-run", problems)
    tom = _data(page)
    screens = {
        "today": "/",
        "people": "/people",
        "person": f"/people/{tom['id']}",
        "person-edit": f"/people/{tom['id']}/edit",
        "person-new": "/people/new",
        "log": f"/log?contact={tom['id']}",
        "habits": "/habits",
        "week": "/week",
        "settings": "/settings",
    }
    for name, path in screens.items():
        page.goto(path)
        _check(page, name, problems)
    page.goto("/log")
    page.get_by_role("group", name="I gave").get_by_text("Intro").click()
    page.get_by_role("group", name="I got").get_by_text("Advice").click()
    expect(page.get_by_text("Intro —")).to_be_visible()
    _check(page, "log-filled", problems)
    assert problems == [], "\n".join(problems)
