"""Names, photos and birthdays found on the way: structured N kept both ways, "Smith, John"
is family Smith, sorting and initials by name not title, photos resized and served to their
owner, a broken photo never fails its card, an impossible birth year is dropped with a note."""

from __future__ import annotations

import base64
import io
from datetime import date

from PIL import Image

from server.contacts_io.names import initials, parse_display_name, sort_name
from server.contacts_io.vcard import read_vcards
from tests.conftest import login
from tests.contacts_io.conftest import upload, vcard


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def folded(prefix: str, payload: str) -> str:
    """A long property folded the vCard way (75 octets, continuation lines start with a space)."""
    line = prefix + payload
    return "\r\n ".join(line[i:i + 74] for i in range(0, len(line), 74))


def test_structured_name_comes_back_exactly(auth_client):
    card = vcard("FN:Mr. John Richter James Doe Sr.", "N:Doe;John;Richter,James;Mr.;Sr.", "EMAIL:jd@example.com")
    assert upload(auth_client, card).get_json()["created"] == 1
    exported = auth_client.get("/api/contacts/export.vcf").get_data(as_text=True)
    assert "\r\nN:Doe;John;Richter,James;Mr.;Sr.\r\n" in exported
    [contact] = auth_client.get("/api/contacts").get_json()["items"]
    assert contact["name_parts"] == {
        "family": ["Doe"], "given": ["John"], "additional": ["Richter", "James"],
        "prefix": ["Mr."], "suffix": ["Sr."],
    }
    assert contact["initials"] == "JD"


def test_family_comma_given_is_family_first():
    [record] = read_vcards(vcard("FN:Smith, John", "EMAIL:js@example.com")).records
    assert record.name == "Smith, John"
    assert record.name_parts["family"] == ["Smith"] and record.name_parts["given"] == ["John"]
    assert initials(record.name_parts, record.name) == "JS"
    # A company is not a family name, and a long name with a comma is not "family, given".
    assert parse_display_name("Acme, Inc.") is None
    assert parse_display_name("Mr. John Richter, James Doe Sr.")["family"] == ["Doe"]


def test_people_sort_and_initials_ignore_titles(auth_client):
    for name in ("Dr. Zoe Adams", "Mr. Bob Young", "Alice Brown", "Smith, John"):
        assert auth_client.post("/api/contacts", json={"name": name}).status_code == 201
    people = auth_client.get("/api/contacts?sort=name").get_json()["items"]
    # Sorted as shown, without the titles: Alice, Bob, John (Smith), Zoe.
    assert [p["name"] for p in people] == ["Alice Brown", "Mr. Bob Young", "Smith, John", "Dr. Zoe Adams"]
    assert [p["initials"] for p in people] == ["AB", "BY", "JS", "ZA"]
    assert sort_name(parse_display_name("Prof. Ada Lovelace PhD"), "") == "ada lovelace"


def test_nameless_card_takes_the_organisation_not_the_address():
    [record] = read_vcards(vcard("ORG:Globex Corporation;Sales", "EMAIL:hello@globex.example")).records
    assert record.name == "Globex Corporation"


def test_base64_and_data_uri_photos_are_resized_and_served_to_their_owner(app, auth_client, make_user):
    b64 = base64.b64encode(png()).decode()
    cards = vcard("FN:Ana Photo", folded("PHOTO;ENCODING=b;TYPE=PNG:", b64)) + vcard(
        "FN:Ben Photo", folded("PHOTO:", f"data:image/png;base64,{b64}"), version="4.0"
    )
    report = upload(auth_client, cards).get_json()
    assert (report["created"], report["notes"]) == (2, [])
    people = auth_client.get("/api/contacts").get_json()["items"]
    assert all(p["photo_url"] for p in people)
    answer = auth_client.get(people[0]["photo_url"])
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(answer.get_data())) as image:
        assert image.format == "JPEG" and max(image.size) == 256
    stranger = app.test_client()
    login(stranger, make_user("stranger@example.com").email)
    assert stranger.get(people[0]["photo_url"]).status_code == 404


def test_a_broken_or_remote_photo_never_fails_its_card(auth_client):
    cards = (
        vcard("FN:Bad Bytes", "PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(b"not an image").decode())
        + vcard("FN:Bad Base64", "PHOTO;ENCODING=b;TYPE=JPEG:%%%not-base64%%%")
        + vcard("FN:Web Photo", "PHOTO;VALUE=uri:https://example.com/me.jpg")
        + vcard("FN:Huge Photo", folded("PHOTO;ENCODING=b;TYPE=JPEG:", "A" * (5 * 1024 * 1024)))
    )
    report = upload(auth_client, cards).get_json()
    assert (report["created"], report["errors"]) == (4, [])
    assert [(n["name"], n["message"]) for n in report["notes"]] == [
        ("Bad Bytes", "Photo not imported: the photo is not an image Rapport can read."),
        ("Bad Base64", "Photo not imported: the photo data is damaged."),
        ("Web Photo", "Photo not imported: the photo is a web link, which Rapport does not download."),
        ("Huge Photo", "The photo was too large to import."),
    ]
    assert not any(p["photo_url"] for p in auth_client.get("/api/contacts").get_json()["items"])


def test_implausible_birth_years_are_dropped_with_a_note(auth_client):
    future = date.today().year + 1
    cards = (
        vcard("FN:Ada Lovelace", "BDAY:1815-12-10")
        + vcard("FN:Not Born", f"BDAY:{future}-01-02")
        + vcard("FN:Real Person", "BDAY:1980-03-22")
        + vcard("FN:Apple No Year", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-06")
    )
    report = upload(auth_client, cards).get_json()
    assert [(n["name"], n["message"]) for n in report["notes"]] == [
        ("Ada Lovelace", "The birth year 1815 is not plausible, so the birthday is kept without it."),
        ("Not Born", f"The birth year {future} is not plausible, so the birthday is kept without it."),
    ]
    birthdays = {p["name"]: p["birthday"] for p in auth_client.get("/api/contacts").get_json()["items"]}
    assert birthdays == {
        "Ada Lovelace": "--12-10", "Not Born": "--01-02", "Real Person": "1980-03-22",
        "Apple No Year": "--05-06",
    }
