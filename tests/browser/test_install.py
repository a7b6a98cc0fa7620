"""Installability: manifest, icons and service worker, as Chromium judges them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .conftest import CHROMIUM, LAUNCH_ARGS, PHONE, shoot, sign_up, wait_for_service_worker


def test_app_is_installable(playwright_instance: Any, live_server: Any, tmp_path: Path) -> None:
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        viewport=PHONE,
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("button", name="Create account").wait_for()
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert json.loads(manifest["data"])["short_name"] == "Rapport"
    finally:
        context.close()


IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_iphone_safari_gets_the_add_to_home_screen_hint(browser: Any, live_server: Any, console: Any) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, user_agent=IPHONE_SAFARI, is_mobile=True
    )
    context.on("page", console.attach)
    try:
        page = context.new_page()
        sign_up(page)
        expect(page.get_by_test_id("ios-hint")).to_contain_text("Add to Home Screen")
        shoot(page, "today-iphone-hint")
    finally:
        context.close()
    assert console.errors == []
