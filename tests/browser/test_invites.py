"""A second person: the admin makes an invitation link in Settings, a friend opens it in
another browser, signs up with the code filled in, and the link is spent."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import PHONE, api_call, shoot, sign_up


def _phone(browser: Any, live_server: Any, console: Any) -> Any:
    ctx = browser.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=2,
                              is_mobile=True, has_touch=True, locale="en-GB", timezone_id="Europe/London")
    ctx.set_default_timeout(15_000)
    ctx.on("page", console.attach)
    return ctx


def test_invite_journey_with_two_browsers(app: Any, page: Any, browser: Any, live_server: Any, console: Any) -> None:
    app.config["REGISTRATION"] = "invite"
    sign_up(page, "maya@example.com", "Maya Patel")
    page.goto("/settings#invites")
    page.get_by_label("Who is it for? (optional)").fill("Priya")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(f"{live_server.url}/join?code=")
    expect(page.get_by_role("list", name="Open invitations").get_by_text("Priya")).to_be_visible()
    page.locator("#invites").scroll_into_view_if_needed()
    shoot(page, "invites-settings")

    friend_ctx = _phone(browser, live_server, console)
    try:
        friend = friend_ctx.new_page()
        friend.goto(link)
        expect(friend.get_by_role("heading", name="Join Rapport")).to_be_visible()
        expect(friend.get_by_label("Invitation code")).to_have_value(link.split("code=")[1])
        expect(friend.get_by_test_id("invite-notice")).to_have_count(0)
        shoot(friend, "invites-join")
        friend.get_by_label("Your name").fill("Priya Shah")
        friend.get_by_label("E-mail").fill("priya@example.com")
        friend.get_by_label("Password").fill(PASSWORD)
        friend.get_by_role("button", name="Create account").click()
        friend.get_by_role("heading", name="Today").wait_for()
        assert api_call(friend, "GET", "/api/auth/me")["body"]["is_admin"] is False
    finally:
        friend_ctx.close()

    page.reload()
    expect(page.get_by_role("list", name="Open invitations").get_by_text("No open invitations.")).to_be_visible()

    stranger_ctx = _phone(browser, live_server, console)
    try:
        stranger = stranger_ctx.new_page()
        stranger.goto(link)
        expect(stranger.get_by_test_id("invite-notice")).to_contain_text("already used")
        stranger.goto("/join")
        expect(stranger.get_by_test_id("invite-notice")).to_contain_text("Ask the person who runs this Rapport")
        shoot(stranger, "invites-no-code")
    finally:
        stranger_ctx.close()


def test_revoked_link_no_longer_signs_anyone_up(app: Any, page: Any, browser: Any, live_server: Any, console: Any) -> None:
    app.config["REGISTRATION"] = "invite"
    sign_up(page, "maya@example.com", "Maya Patel")
    made = api_call(page, "POST", "/api/auth/invites", {"label": "Ben"})["body"]
    page.goto("/settings#invites")
    page.get_by_role("button", name="Revoke Ben").click()
    expect(page.get_by_text("No open invitations.")).to_be_visible()
    ctx = _phone(browser, live_server, console)
    try:
        other = ctx.new_page()
        console.allow("403")
        other.goto(made["url"].replace("https://", "http://"))
        expect(other.get_by_test_id("invite-notice")).to_contain_text("not valid")
        other.get_by_label("E-mail").fill("ben@example.com")
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Create account").click()
        expect(other.get_by_role("alert")).to_contain_text("not valid")
    finally:
        ctx.close()
