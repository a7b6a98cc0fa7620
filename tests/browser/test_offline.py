"""Offline: the shell and last-seen data open without a network, a log saved offline waits in
the outbox across reloads, and syncs exactly once when the network returns."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models.interactions import Interaction

from .conftest import api_call, shoot, sign_up, wait_for_service_worker


def test_log_saved_offline_syncs_exactly_once(page: Any, context: Any, console: Any, app: Flask) -> None:
    console.allow(r"ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch")
    sign_up(page)
    tom = api_call(page, "POST", "/api/contacts", {"name": "Tom Baker", "company": "Acme"})["body"]
    page.goto(f"/people/{tom['id']}")
    page.get_by_role("heading", name="Tom Baker").wait_for()
    wait_for_service_worker(page)
    page.reload()  # now served through the service worker, which keeps what it saw
    page.get_by_role("heading", name="Tom Baker").wait_for()

    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Tom Baker").wait_for()
    expect(page.locator("#banner")).to_contain_text("Offline")

    page.get_by_role("link", name="Log", exact=True).first.click()
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    page.get_by_role("group", name="I gave").get_by_text("Advice").click()
    page.get_by_label("On their mind (their challenge)").fill("Looking for a new role")
    page.get_by_test_id("save-log").click()
    expect(page.get_by_test_id("pending")).to_have_text("1 waiting to sync")
    shoot(page, "offline-pending")

    page.reload()  # nothing typed is lost across a reload
    expect(page.get_by_test_id("pending")).to_have_text("1 waiting to sync")

    context.set_offline(False)
    # The page replays on "online"; ask the service worker to replay at the same moment too.
    page.evaluate("async () => (await navigator.serviceWorker.ready).active.postMessage({type: 'flush'})")
    expect(page.get_by_test_id("pending")).to_have_count(0)

    logs = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert len(logs) == 1
    assert logs[0]["challenge"] == "Looking for a new role"
    assert [g["category"] for g in logs[0]["gave"]] == ["advice"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Interaction)) == 1
