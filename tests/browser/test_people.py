"""People: sign up, add people, find them with search and filters."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up


def add_person(page: Any, name: str, **fields: str) -> None:
    """Add a person through the form; ends on their card."""
    page.goto("/people")
    page.get_by_role("link", name="Add", exact=True).click()
    page.get_by_label("Name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Add person").click()
    page.get_by_role("heading", name=name).wait_for()


def test_welcome_and_login_screens(page: Any) -> None:
    page.goto("/")
    page.wait_for_url("**/welcome**")
    expect(page.get_by_role("button", name="Create account")).to_be_visible()
    shoot(page, "welcome")
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    shoot(page, "login")


def test_added_person_shows_on_their_card_and_in_the_list(page: Any, console: Any) -> None:
    console.allow(r"status of 404")  # the log's per-person routes are not on this server yet
    sign_up(page)
    add_person(
        page, "Tom Baker", **{"Company": "Acme", "E-mail": "tom@example.com", "Phone": "+44 20 7946 0000"}
    )
    expect(page.get_by_role("link", name="Call")).to_have_attribute("href", "tel:+442079460000")
    expect(page.get_by_role("link", name="E-mail")).to_have_attribute("href", "mailto:tom@example.com")
    page.get_by_role("link", name="Back to people").click()
    expect(page.get_by_role("list", name="People").get_by_text("Tom Baker")).to_be_visible()


def test_search_finds_people_as_you_type(page: Any, console: Any) -> None:
    console.allow(r"status of 404")  # Today's dashboard is not on this server yet
    sign_up(page)
    for name, company in [("Tom Baker", "Acme"), ("Ada Lovelace", "Analytical"), ("Grace Hopper", "Navy")]:
        assert (
            api_call(page, "POST", "/api/contacts", {"name": name, "company": company, "kind": "peer"})[
                "status"
            ]
            == 201
        )
    page.goto("/people")
    people = page.get_by_role("list", name="People")
    expect(people.get_by_role("link")).to_have_count(3)
    shoot(page, "people")
    page.get_by_label("Search people").fill("ada")
    expect(people.get_by_role("link")).to_have_count(1)
    expect(people.get_by_text("Ada Lovelace")).to_be_visible()
    page.get_by_label("Search people").fill("navy")
    expect(people.get_by_text("Grace Hopper")).to_be_visible()
    expect(people.get_by_role("link")).to_have_count(1)
    page.get_by_label("Search people").fill("nobody here")
    expect(page.get_by_text("Nobody matches")).to_be_visible()


VCARDS = b"""BEGIN:VCARD\r
VERSION:3.0\r
FN:Ada Lovelace\r
EMAIL:ada@example.com\r
BDAY:--12-10\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Grace Hopper\r
ORG:US Navy\r
END:VCARD\r
"""


def test_import_contacts_from_a_phone_export_shows_the_report(page: Any) -> None:
    sign_up(page)
    page.goto("/settings")
    page.get_by_label("Import contacts").set_input_files(
        files=[{"name": "contacts.vcf", "mimeType": "text/vcard", "buffer": VCARDS}]
    )
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("2 added")
    page.get_by_role("link", name="People").click()
    people = page.get_by_role("list", name="People")
    expect(people.get_by_role("link")).to_have_count(2)
    expect(people.get_by_text("Grace Hopper")).to_be_visible()
