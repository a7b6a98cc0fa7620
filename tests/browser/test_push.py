"""Reminders by real Web Push: subscribe from a tap, the server encrypts a test push to the
local push service, the decrypted payload is handed to the real service worker, which shows it."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.push_service import PushService

from .conftest import STUB_SUBSCRIBE, sign_up, wait_for_service_worker

# Waits (bounded) until the service worker has shown a notification, then describes them.
SHOWN_NOTIFICATIONS = """
async () => {
  const reg = await navigator.serviceWorker.ready;
  for (let i = 0; i < 300; i += 1) {
    const list = await reg.getNotifications();
    if (list.length) return list.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data}));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [];
}
"""


def test_test_reminder_reaches_the_service_worker_and_shows(
    page: Any, context: Any, live_server: Any, push_service: PushService
) -> None:
    sub = push_service.new_subscription()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(script=f"({STUB_SUBSCRIBE})({json.dumps(sub)})")
    sign_up(page)
    wait_for_service_worker(page)

    page.goto("/settings")
    page.get_by_role("button", name="Turn on reminders").click()
    expect(page.get_by_text("Reminders are on for this device.")).to_be_visible()
    page.get_by_test_id("test-push").click()
    received = push_service.wait_for(1)
    assert received, f"the push service accepted nothing: {push_service.messages}"
    payload = received[0]
    assert payload.get("title") or payload.get("notification", {}).get("title")

    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("() => true")
    deadline_checks = 0
    while not registrations and deadline_checks < 100:
        page.wait_for_timeout(50)  # let the CDP event arrive; bounded, not an assertion on time
        deadline_checks += 1
    registration = next(r for r in registrations if r["scopeURL"].startswith(live_server.url))
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    shown = page.evaluate(SHOWN_NOTIFICATIONS)
    assert shown, "the service worker showed no notification"
    inner = payload.get("notification", payload)
    assert shown[0]["title"] == inner["title"]
    assert shown[0]["body"] == inner.get("body", "")
    if payload.get("tag") or inner.get("tag"):
        assert shown[0]["tag"] == (inner.get("tag") or payload.get("tag"))
    assert shown[0]["data"]["url"].startswith("/")
