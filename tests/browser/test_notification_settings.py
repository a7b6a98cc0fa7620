"""The notification section is drawn from the kind registry: each kind's switch and options,
and the fallback channel, saved to the server."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, sign_up


def test_each_kind_has_its_switch_and_options_and_they_save(page: Any) -> None:
    sign_up(page)
    page.goto("/settings")
    kinds = api_call(page, "GET", "/api/settings")["body"]["kinds"]
    for kind in kinds:
        expect(page.get_by_label(kind["label"])).to_be_checked()
    page.get_by_label("Before meetings: a brief on the people you will see").uncheck()
    page.get_by_label("Brief me … minutes before").fill("20")
    page.get_by_label("Send it by").select_option(label="ntfy, else e-mail")
    page.get_by_label("ntfy topic address").fill("https://ntfy.sh/maya-rapport")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    settings = api_call(page, "GET", "/api/settings")["body"]
    assert settings["notify_briefs"] is False and settings["brief_minutes_before"] == 20
    assert settings["fallback_channels"] == ["ntfy", "email"]
    assert settings["ntfy_topic_url"] == "https://ntfy.sh/maya-rapport"
    assert settings["notify_meetings"] is True and settings["channel_details"] is False
