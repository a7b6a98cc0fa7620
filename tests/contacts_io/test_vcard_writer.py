"""vCard 3.0 export: escaping, folding, yearless dates, and the round trip through our reader."""

from __future__ import annotations

import string

import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from server.contacts_io.vcard import SYSTEM_GROUPS, read_vcards
from server.contacts_io.vcard_writer import contact_to_vcard, fold_line

ADA = {
    "name": "Lovelace, Ada; Countess",
    "emails": ["ada@work.example", "ada@home.example"],
    "phones": ["+44 20 7946 0100", "(020) 7946-0101"],
    "company": "Analytical Engines, Ltd.",
    "title": "Engineer",
    "url": "https://ada.example/a;b,c",
    "notes": "Line one\nLine two, with comma; and semicolon \\ backslash",
    "tags": ["Math", "Mentors, informal"],
    "birthday": "1985-12-10",
    "anniversary": "--07-08",
    "name_parts": {"family": ["Lovelace"], "given": ["Ada"], "additional": ["Augusta"],
                   "prefix": [], "suffix": ["Countess"]},
    "photo": None,
}


def test_yearless_birthday_is_written_the_apple_way_by_default():
    text = contact_to_vcard({"name": "A", "birthday": "--03-07"})
    assert "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-07\r\n" in text


def test_yearless_birthday_google_style():
    text = contact_to_vcard({"name": "A", "birthday": "--03-07"}, style="google")
    assert "BDAY:--0307\r\n" in text


def test_anniversary_is_a_labelled_abdate():
    text = contact_to_vcard({"name": "A", "anniversary": "2010-06-01"})
    assert "item1.X-ABDATE:2010-06-01\r\nitem1.X-ABLabel:_$!<Anniversary>!$_\r\n" in text


def test_lines_are_folded_at_75_octets_without_splitting_characters():
    folded = fold_line("NOTE:" + "é" * 100)
    for physical in folded.split("\r\n")[:-1]:
        assert len(physical.encode("utf-8")) <= 75
        physical.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "").rstrip("\r\n") == "NOTE:" + "é" * 100


def test_export_round_trips_through_our_reader():
    [record] = read_vcards(contact_to_vcard(ADA).encode()).records
    assert record.as_dict() == ADA


def test_google_style_round_trips_too():
    [record] = read_vcards(contact_to_vcard(ADA, style="google").encode()).records
    assert record.anniversary == "--07-08"


def test_vobject_reads_our_export():
    card = vobject.readOne(contact_to_vcard(ADA))
    assert card.fn.value == ADA["name"]
    assert [e.value for e in card.contents["email"]] == ADA["emails"]
    assert card.note.value == ADA["notes"]


text_st = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(",;\\:\n"),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    name=text_st.filter(lambda s: s.strip() and "\n" not in s),
    notes=text_st,
    tags=st.lists(st.text(alphabet=string.ascii_letters + ",; ", min_size=1, max_size=10), max_size=3),
)
def test_any_text_round_trips(name, notes, tags):
    # exporters' system groups ("My Contacts", "starred") are never read as tags
    tags = [t.strip() for t in tags if t.strip() and " ".join(t.split()).lower() not in SYSTEM_GROUPS]
    contact = {"name": " ".join(name.split()), "notes": notes.strip(), "tags": tags}
    [record] = read_vcards(contact_to_vcard(contact).encode()).records
    assert record.name == contact["name"]
    assert record.notes == contact["notes"].replace("\r\n", "\n").replace("\r", "\n")
    # Tags are kept once whatever their case ("S" and "s" are one tag), first spelling wins.
    expected: dict[str, str] = {}
    for tag in (" ".join(t.split()) for t in tags):
        expected.setdefault(tag.casefold(), tag)
    assert record.tags == list(expected.values())
