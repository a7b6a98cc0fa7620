"""The tolerant vCard reader: every real-world form of the fields Rapport keeps."""

from __future__ import annotations

import pytest

from server.contacts_io.records import NotAContactsFile
from server.contacts_io.vcard import read_vcards


def card(*lines: str, version: str = "3.0", eol: str = "\r\n") -> bytes:
    body = ["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]
    return (eol.join(body) + eol).encode("utf-8")


def one(data: bytes):
    result = read_vcards(data)
    assert not result.errors, result.errors
    assert len(result.records) == 1
    return result.records[0]


def test_comma_inside_fn_is_kept():
    record = one(card("FN:Mr. John Richter, James Doe Sr.", "N:Doe;John;;;"))
    assert record.name == "Mr. John Richter, James Doe Sr."


def test_escaped_characters_in_text_are_unescaped():
    record = one(card(r"FN:Doe\, Jane", r"NOTE:line one\nline two\; three\\four", r"URL:http\://x.example"))
    assert record.name == "Doe, Jane"
    assert record.notes == "line one\nline two; three\\four"
    assert record.url == "http://x.example"


def test_name_falls_back_to_n_parts_then_email():
    assert one(card("N:Lovelace;Ada;King;Dr.;")).name == "Dr. Ada King Lovelace"
    assert one(card("EMAIL:ada@example.org")).name == "ada@example.org"


def test_card_without_name_or_email_is_an_error_and_others_still_read():
    data = card("TEL:123") + card("FN:Ada")
    result = read_vcards(data)
    assert [r.name for r in result.records] == ["Ada"]
    assert result.errors[0].position == 1
    assert "no name" in result.errors[0].message


def test_all_emails_preferred_first_lower_cased_and_deduplicated():
    record = one(
        card(
            "FN:Ada",
            "EMAIL;TYPE=INTERNET:Other@Example.com",
            "EMAIL;TYPE=INTERNET,pref:Main@Example.com",
            "EMAIL:other@example.com",
            "EMAIL:not an address",
        )
    )
    assert record.emails == ["main@example.com", "other@example.com"]


def test_vcard21_bare_pref_parameter():
    record = one(card("FN:A", "EMAIL;INTERNET:b@x.org", "EMAIL;PREF;INTERNET:a@x.org", version="2.1"))
    assert record.emails == ["a@x.org", "b@x.org"]


def test_vcard4_pref_parameter():
    record = one(card("FN:A", "EMAIL:b@x.org", "EMAIL;PREF=1:a@x.org", version="4.0"))
    assert record.emails == ["a@x.org", "b@x.org"]


def test_phones_org_title_categories_url():
    record = one(
        card(
            "FN:Ada",
            "TEL;TYPE=CELL:+44 20 7946 0100",
            "TEL;TYPE=HOME:(020) 7946-0101",
            "TEL:+44 20 7946 0100",
            "ORG:Analytical Engines;Research",
            "TITLE:Engineer",
            "CATEGORIES:Work,Mentors,My Contacts",
            "URL:https://ada.example",
        )
    )
    assert record.phones == ["+44 20 7946 0100", "(020) 7946-0101"]
    assert record.company == "Analytical Engines"
    assert record.title == "Engineer"
    assert record.tags == ["Work", "Mentors"]
    assert record.url == "https://ada.example"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:1980-03-22", "1980-03-22"),
        ("BDAY:19800322", "1980-03-22"),
        ("BDAY;VALUE=date:1980-03-22", "1980-03-22"),
        ("BDAY:1980-03-22T00:00:00Z", "1980-03-22"),
        ("BDAY:--0322", "--03-22"),
        ("BDAY:--03-22", "--03-22"),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-22", "--03-22"),
        ("BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=DATE:16040322", "--03-22"),
        ("BDAY:16040322", "--03-22"),
        ("BDAY:1604-02-29", "--02-29"),
        ("BDAY:--0229", "--02-29"),
        ("BDAY:0000-07-01", "--07-01"),
    ],
)
def test_birthday_forms(line, expected):
    assert one(card("FN:A", line)).birthday == expected


def test_text_birthday_is_kept_as_a_note():
    record = one(card("FN:A", "BDAY;VALUE=text:circa 1800", version="4.0"))
    assert record.birthday is None
    assert record.notes == "Birthday: circa 1800"


def test_impossible_birthday_is_kept_as_a_note():
    record = one(card("FN:A", "BDAY:1981-02-30"))
    assert record.birthday is None
    assert "1981-02-30" in record.notes


@pytest.mark.parametrize(
    "lines",
    [
        ("ANNIVERSARY:20100601",),
        ("X-ANNIVERSARY:2010-06-01",),
        ("X-MS-ANNIVERSARY:20100601",),
        ("item3.X-ABDATE:2010-06-01", "item3.X-ABLabel:_$!<Anniversary>!$_"),
    ],
)
def test_anniversary_forms(lines):
    assert one(card("FN:A", *lines)).anniversary == "2010-06-01"


def test_unlabelled_abdate_is_not_an_anniversary():
    record = one(card("FN:A", "X-ABDATE:2010-06-01", "item1.X-ABDATE:2011-01-01", "item1.X-ABLabel:Custom"))
    assert record.anniversary is None


def test_folded_lines_with_space_and_tab():
    record = one(card("FN:Ada Love", " lace", "NOTE:one", "\ttwo"))
    assert record.name == "Ada Lovelace"
    assert record.notes == "onetwo"


def test_bom_lf_and_doubled_cr_line_ends():
    data = b"\xef\xbb\xbf" + card("FN:Ada", "EMAIL:a@x.org", eol="\n")
    assert one(data).name == "Ada"
    assert one(card("FN:Ada", "EMAIL:a@x.org", eol="\r\r\n")).emails == ["a@x.org"]


def test_utf16_file_with_bom():
    text = card("FN:Zoë", "EMAIL:z@x.org").decode("utf-8")
    assert one(text.encode("utf-16")).name == "Zoë"


def test_quoted_printable_with_soft_breaks_and_charset():
    data = card(
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91o=C3=B1=",
        "o P=C3=A9rez",
        "NOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=",
        "41",
        version="2.1",
    )
    record = one(data)
    assert record.name == "Ñoño Pérez"
    assert record.notes == "a\nb41"  # a soft break is not followed by a hex pair


def test_broken_quoted_printable_byte_does_not_fail_the_card():
    record = one(card("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Ana=C3", "EMAIL:a@x.org", version="2.1"))
    assert record.name == "Ana"


def test_declared_latin1_charset():
    data = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:Jos\xe9\r\nEND:VCARD\r\n"
    assert one(data).name == "José"


def test_undeclared_latin1_bytes_fall_back_to_windows_1252():
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jos\xe9\r\nEND:VCARD\r\n"
    assert one(data).name == "José"


def test_unknown_charset_is_read_as_utf8():
    assert one(card("FN;CHARSET=X-NONSENSE:Zoë")).name == "Zoë"


def test_broken_photo_does_not_sink_its_card_or_the_file():
    data = card("FN:Ada", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ!!not base64", " ***", "EMAIL:a@x.org") + card(
        "FN:Bob"
    )
    result = read_vcards(data)
    assert [r.name for r in result.records] == ["Ada", "Bob"]
    assert result.records[0].emails == ["a@x.org"]


def test_vcard21_photo_followed_by_blank_line():
    data = card("FN:Ada", "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ", " AAAA", "", "EMAIL:a@x.org", version="2.1")
    assert one(data).emails == ["a@x.org"]


def test_card_missing_end_is_still_read():
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEND:VCARD\r\n"
    assert [r.name for r in read_vcards(data).records] == ["Ada", "Bob"]


def test_group_prefix_and_lower_case_property_names():
    record = one(card("fn:Ada", "item1.email;type=INTERNET:a@x.org"))
    assert record.emails == ["a@x.org"]


def test_quoted_parameter_with_colon_and_semicolon():
    record = one(card("FN:Ada", 'EMAIL;X-LABEL="a:b;c":a@x.org'))
    assert record.emails == ["a@x.org"]


def test_lines_without_colon_and_junk_around_cards_are_ignored():
    data = b"junk before\r\n" + card("FN:Ada", "this line has no colon") + b"junk after\r\n"
    assert one(data).name == "Ada"


def test_text_without_any_card_is_refused():
    with pytest.raises(NotAContactsFile):
        read_vcards(b"hello\r\nworld\r\n")
