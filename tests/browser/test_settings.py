"""Settings: API tokens shown once, profile and reminder preferences saved to the server, the
online-only sections loaded when opened."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up, wait_for_service_worker, wait_until


def test_api_token_is_shown_once_and_works(page: Any, live_server: Any) -> None:
    sign_up(page)
    page.goto("/settings")
    page.get_by_label("Token name").fill("iPhone Shortcut")
    page.get_by_label("It may").select_option("read")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").input_value()
    assert token
    auth = {"Authorization": f"Bearer {token}"}
    answer = page.request.get(f"{live_server.url}/api/contacts", headers=auth)
    assert answer.status == 200
    refused = page.request.post(f"{live_server.url}/api/contacts", headers=auth, data={"name": "x"})
    assert refused.status == 403
    page.reload()
    expect(page.get_by_role("button", name="Revoke iPhone Shortcut")).to_be_visible()
    expect(page.get_by_text("read · created")).to_be_visible()
    expect(page.get_by_text("last used")).to_be_visible()
    expect(page.get_by_test_id("new-token")).to_have_count(0)


def test_password_change_can_revoke_every_token(page: Any, live_server: Any) -> None:
    from tests.conftest import PASSWORD

    sign_up(page)
    token = api_call(page, "POST", "/api/tokens", {"name": "Tasker", "scopes": ["log"]})["body"]["token"]
    page.goto("/settings")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("a brand new long secret")
    page.get_by_label("Also revoke every API token").check()
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed.")).to_be_visible()
    answer = page.request.get(f"{live_server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401


def test_profile_and_quiet_hours_are_saved(page: Any) -> None:
    sign_up(page)
    page.goto("/settings")
    page.get_by_label("Name").first.fill("Maya P.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_label("Quiet from").fill("21:30")
    page.get_by_label("Quiet until").fill("07:15")
    # The profile's "Saved." may still be on screen: wait for the reminders' own answer.
    with page.expect_response(lambda r: r.url.endswith("/api/settings") and r.request.method != "GET") as saved:
        page.get_by_role("button", name="Save reminders").click()
    assert saved.value.ok
    settings = api_call(page, "GET", "/api/settings")["body"]
    assert (settings["quiet_hours_start"], settings["quiet_hours_end"]) == ("21:30", "07:15")
    assert api_call(page, "GET", "/api/auth/me")["body"]["name"] == "Maya P."


def test_logout_forgets_personal_data_on_the_device(page: Any) -> None:
    sign_up(page)
    api_call(page, "POST", "/api/contacts", {"name": "Tom Baker"})
    page.goto("/people")
    expect(page.get_by_text("Tom Baker")).to_be_visible()
    page.evaluate("() => navigator.serviceWorker.ready")
    wait_until(page, "async () => (await caches.keys()).includes('rapport-api')")
    page.goto("/settings")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    kept = page.evaluate("""async () => ({
        caches: await caches.keys(),
        databases: (await indexedDB.databases()).map((d) => d.name),
        signedIn: localStorage.getItem('rapport.signedIn'),
    })""")
    assert "rapport-api" not in kept["caches"]
    assert "rapport" not in kept["databases"]
    assert kept["signedIn"] is None
    page.goto("/people")
    page.wait_for_url("**/login?next=%2Fpeople")


NEEDS_CONNECTION = "This needs a connection. It opens once you are back online."
ONLINE_ONLY_SECTIONS = ("Devices", "Calendars", "Import & export", "API tokens", "Invitations", "Password", "Delete account")


def test_online_only_sections_need_a_connection_until_first_opened(page: Any, context: Any, console: Any) -> None:
    console.allow(r"ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch|status of 503")
    sign_up(page)  # the first account: an admin, so Invitations is one of them
    wait_for_service_worker(page)
    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    # The phone keeps its settings as it saw them (an earlier version of the app showed them),
    # but this version's shell has never opened the online-only sections.
    assert api_call(page, "GET", "/api/settings")["status"] == 200

    context.set_offline(True)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("heading", name="Settings", level=1).wait_for()
    expect(page.get_by_role("heading", name="Waiting to sync")).to_be_visible()  # the offline loop's part
    expect(page.get_by_role("heading", name="Profile & time zone")).to_be_visible()
    for title in ONLINE_ONLY_SECTIONS:
        section = page.locator("section.settings-card").filter(has=page.get_by_role("heading", name=title, exact=True))
        expect(section.get_by_test_id("needs-connection")).to_have_text(NEEDS_CONNECTION)
    expect(page.get_by_label("Token name")).to_have_count(0)
    page.get_by_role("link", name="Password", exact=True).click()  # the jump links still land
    shoot(page, "settings-offline")

    context.set_offline(False)
    page.get_by_role("link", name="Today").click()
    page.get_by_role("heading", name="Today").wait_for()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Token name")).to_be_visible()
    expect(page.get_by_role("button", name="Make an invitation link")).to_be_visible()
    expect(page.get_by_role("button", name="Change password")).to_be_visible()
    expect(page.get_by_test_id("needs-connection")).to_have_count(0)

    # Opened once online, they are kept: offline they open again.
    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Settings", level=1).wait_for()
    expect(page.get_by_label("Token name")).to_be_visible()
    expect(page.get_by_role("button", name="Change password")).to_be_visible()
    expect(page.get_by_test_id("needs-connection")).to_have_count(0)
