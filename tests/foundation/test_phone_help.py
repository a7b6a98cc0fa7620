"""The HTTPS notice links to the README's phone section, served by the app itself."""

from __future__ import annotations


def test_phone_help_serves_the_readmes_phone_section_as_text(client):
    response = client.get("/help/phone")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("## On your phone")
    assert "iPhone (iOS 16.4 or later)" in text and "Android (Chrome)" in text
    assert "\n## Commands" not in text  # only that section
