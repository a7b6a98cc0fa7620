"""Every screen: renders user text as text, logs no console errors, fits a 360 px phone, and
is photographed light and dark for review."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up

XSS = "<img src=x onerror=alert(1)>"


def fits_width(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_person_named_like_html_renders_as_text(page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_up(page)
    contact = api_call(
        page, "POST", "/api/contacts", {"name": XSS, "company": "<b>bold</b>", "tags": ["<script>x</script>"]}
    )["body"]
    log = {
        "occurred_at": "2026-01-05T12:00:00+00:00",
        "kind": "call",
        "contact_ids": [contact["id"]],
        "gave": [{"category": "advice", "note": "<i>note</i>"}],
        "received": [],
        "notes": "<svg onload=alert(2)>",
        "challenge": "<img src=y onerror=alert(3)>",
    }
    assert api_call(page, "PUT", "/api/interactions/7b0f8a3e-5c51-4b5e-9d0c-3a1f9d6f2b11", log)["status"] in (
        200,
        201,
    )

    for path in [
        "/",
        "/people",
        f"/people/{contact['id']}",
        f"/log?contact={contact['id']}",
        f"/people/{contact['id']}/edit",
    ]:
        page.goto(path)
        page.locator("h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert page.locator("img[src=x], img[src=y], svg[onload], script:text('x')").count() == 0
    page.goto(f"/people/{contact['id']}")
    expect(page.get_by_role("heading", name=XSS)).to_be_visible()
    expect(page.get_by_text("On their mind: <img src=y onerror=alert(3)>")).to_be_visible()
    page.goto("/people")
    expect(page.get_by_text(XSS)).to_be_visible()
    assert dialogs == []


def test_every_screen_fits_the_phone_and_has_no_console_errors(page: Any) -> None:
    sign_up(page, name="Maya Patel")
    tom = api_call(
        page,
        "POST",
        "/api/contacts",
        {
            "name": "Tom Baker",
            "company": "Acme Robotics",
            "title": "VP Engineering",
            "kind": "client",
            "emails": ["tom@example.com"],
            "phones": ["+44 20 7946 0000"],
            "tags": ["london", "robotics"],
            "birthday": "--07-14",
            "how_met": "Web Summit 2023",
        },
    )["body"]
    for name, company, kind in [
        ("Ada Lovelace", "Analytical Engines", "mentor"),
        ("Grace Hopper", "US Navy", "peer"),
        ("Katherine Johnson", "NASA", "friend"),
    ]:
        api_call(page, "POST", "/api/contacts", {"name": name, "company": company, "kind": kind})
    log = {
        "occurred_at": "2026-01-05T12:30:00+00:00",
        "kind": "in_person",
        "contact_ids": [tom["id"]],
        "gave": [{"category": "intro", "note": "to Ada"}, {"category": "advice", "promised": True}],
        "received": [{"category": "referral"}],
        "challenge": "Hiring a CTO",
        "follow_up_on": "2026-02-05",
    }
    api_call(page, "PUT", "/api/interactions/0d7c8d64-8a0e-4c36-9c3c-0c7e0f1b6a21", log)

    screens = {
        "today": "/",
        "people": "/people",
        "person": f"/people/{tom['id']}",
        "person-edit": f"/people/{tom['id']}/edit",
        "person-new": "/people/new",
        "log": f"/log?contact={tom['id']}",
        "habits": "/habits",
        "settings": "/settings",
    }
    for name, path in screens.items():
        page.goto(path)
        page.locator("h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert fits_width(page), f"{name} scrolls sideways at 390 px"
        shoot(page, name)
        if name == "settings":
            for card in ("reminders", "calendars", "data", "tokens", "account"):
                page.evaluate("(id) => document.getElementById(id).scrollIntoView()", card)
                shoot(page, f"settings-{card}")
    page.get_by_role("link", name="Log", exact=True).last.click()
    page.get_by_role("heading", name="Log").wait_for()
    page.get_by_role("group", name="I gave").get_by_text("Intro").click()
    page.get_by_role("group", name="I gave").get_by_text("Favour").click()
    page.get_by_role("group", name="I got").get_by_text("Advice").click()
    shoot(page, "log-filled")

    page.set_viewport_size({"width": 360, "height": 780})
    for name, path in screens.items():
        page.goto(path)
        page.locator("h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert fits_width(page), f"{name} scrolls sideways at 360 px"
