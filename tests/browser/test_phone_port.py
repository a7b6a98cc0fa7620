"""`rapport serve --port <any>` with no base URL set: the reminder the worker sends opens the
log form on the origin the phone uses, whatever address the server put into the payload."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.foundation.test_cli import free_port, wait_for
from tests.push_service import PushService

from .conftest import (
    PHONE,
    STUB_SUBSCRIBE,
    ConsoleWatch,
    api_call,
    reminders_any_hour,
    sign_up,
    wait_for_service_worker,
)
from .test_phone_loop import SHOWN, TOM, calendar, deliver, event, meetings_by_title
from .test_threads import add_contact, upload_ics


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`rapport serve --port <free> --no-worker` on a fresh SQLite data directory."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env.update({"RAPPORT_DATA_DIR": str(tmp_path / "instance"), "RAPPORT_ALLOW_PRIVATE_URLS": "1"})
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--no-worker"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{origin}/healthz")
        yield origin, env
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def test_reminder_from_a_server_on_any_port_opens_the_form_on_that_origin(
    browser: Any, served: tuple[str, dict[str, str]], console: ConsoleWatch
) -> None:
    origin, env = served
    push_service = PushService().start()
    context = browser.new_context(base_url=origin, viewport=PHONE, is_mobile=True, has_touch=True,
                                  service_workers="allow", locale="en-GB", timezone_id="Europe/London")
    try:
        context.on("page", console.attach)
        sub = push_service.new_subscription()
        context.grant_permissions(["notifications"], origin=origin)
        page = context.new_page()
        page.add_init_script(script=f"({STUB_SUBSCRIBE})({json.dumps(sub)})")
        sign_up(page)
        reminders_any_hour(page)
        wait_for_service_worker(page)
        assert api_call(page, "POST", "/api/push/subscriptions",
                        {"endpoint": sub["endpoint"], "keys": sub["keys"]})["status"] in (200, 201)
        add_contact(page, "Tom Baker", "tom@example.com")
        end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=20)
        assert upload_ics(page, calendar(event("coffee-1", "Coffee with Tom", end - timedelta(minutes=30), end, TOM)))["status"] == 202

        # One worker pass reads the upload, plans the reminder and sends it.
        worker = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "server.cli", "worker", "--once"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        assert worker.returncode == 0, worker.stdout + worker.stderr
        meeting = meetings_by_title(page)["Coffee with Tom"]
        received = push_service.wait_for(1)
        assert len(received) == 1, push_service.messages
        payload = received[0]
        path = f"/log?meeting={meeting['id']}"
        assert payload["url"] == path
        assert payload["notification"]["navigate"].endswith(path)

        # As sent, and as a Declarative Web Push message alone (only its absolute `navigate`):
        # either way the notification opens the path on this origin.
        declarative = {"web_push": 8030, "notification": payload["notification"], "kind": "meeting"}
        for message in (payload, declarative):
            deliver(context, page, origin, message)
            shown = page.evaluate(SHOWN, 1)
            assert [n["data"]["url"] for n in shown] == [path], shown
            page.evaluate("async () => (await (await navigator.serviceWorker.ready).getNotifications()).forEach((n) => n.close())")

        page.goto(shown[0]["data"]["url"])
        assert page.url == origin + path
        expect(page.locator(".meeting-line")).to_contain_text("Coffee with Tom")
        expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    finally:
        context.close()
        push_service.stop()
    assert console.errors == [], "console errors:\n" + "\n".join(console.errors)
