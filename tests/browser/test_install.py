"""Installability: manifest, icons and service worker, as Chromium judges them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import CHROMIUM, LAUNCH_ARGS, PHONE, wait_for_service_worker


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
