"""The reset screen a `rapport reset-password` link opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from server.extensions import db
from server.models import User, utcnow
from server.password_reset import make_reset_token, reset_link

from .conftest import shoot


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
