"""The reset screen a `rapport reset-password` link opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from server.extensions import db
from server.models import User, utcnow
from server.password_reset import make_reset_token, reset_link

from .conftest import shoot, wait_for_service_worker


def test_a_reset_link_sets_a_new_password_and_opens_today(app, page: Any, live_server: Any, make_user) -> None:
    user = make_user("maya@example.com", name="Maya")
    with app.app_context():
        token = make_reset_token(db.session.get(User, user.id), app.config["SECRET_KEY"], utcnow() + timedelta(hours=1))
    page.goto(reset_link(live_server.url, token))
    page.get_by_role("heading", name="Choose a new password").wait_for()
    shoot(page, "reset")
    page.get_by_label("New password").fill("a brand new sentence")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_role("heading", name="Today").wait_for()

    page.goto(reset_link(live_server.url, token).replace(live_server.url, ""))  # the same link again
    page.wait_for_url("**/")  # signed in now: the public screen hands over to Today


def test_a_used_or_broken_link_says_so(page: Any, live_server: Any, console: Any) -> None:
    console.allow(r"status of 400")  # the refused token is the point of the test
    page.goto("/reset?token=not-a-real-token")
    page.get_by_label("New password").fill("a brand new sentence")
    page.get_by_role("button", name="Set new password").click()
    page.get_by_role("alert").filter(has_text="not valid any more").wait_for()
    page.goto("/reset")
    page.get_by_role("alert").filter(has_text="incomplete").wait_for()


def test_a_reset_link_opened_offline_says_it_needs_a_connection(page: Any, context: Any, console: Any) -> None:
    console.allow(r"ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch|status of 503")
    page.goto("/welcome")
    page.get_by_role("button", name="Create account").wait_for()
    wait_for_service_worker(page)
    context.set_offline(True)
    page.goto("/reset?token=from-an-e-mail")  # the shell opens from the phone; the screen is not on it
    page.get_by_role("heading", name="Choose a new password").wait_for()
    expect(page.get_by_test_id("needs-connection")).to_have_text("This needs a connection. It opens once you are back online.")
    expect(page.get_by_label("New password")).to_have_count(0)

    context.set_offline(False)
    page.reload()
    expect(page.get_by_label("New password")).to_be_visible()
