"""Google Contacts CSV, current and legacy layouts."""

from __future__ import annotations

from server.contacts_io.google_csv import read_google_csv

CURRENT = (
    "First Name,Middle Name,Last Name,Name Prefix,Organization Name,Organization Title,Birthday,"
    "Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Event 1 - Label,Event 1 - Value,Website 1 - Label,Website 1 - Value\r\n"
)


def rows(header: str, *lines: str, encoding: str = "utf-8") -> bytes:
    return (header + "".join(line + "\r\n" for line in lines)).encode(encoding)


def test_current_layout_multi_values_primary_email_and_labels():
    data = rows(
        CURRENT,
        'Ada,,Lovelace,,AE,Eng,--12-10,"a\nb",* myContacts ::: Math ::: * starred,Home,h@x.org,'
        "* Work,w@x.org ::: w2@x.org,Mobile,1 ::: 2,Anniversary,1835-07-08,,https://ada.example",
    )
    [r] = read_google_csv(data).records
    assert r.name == "Ada Lovelace"
    assert r.emails == ["w@x.org", "w2@x.org", "h@x.org"]
    assert r.phones == ["1", "2"]
    assert r.tags == ["Math"]
    assert (r.birthday, r.anniversary) == ("--12-10", "1835-07-08")
    assert r.notes == "a\nb" and r.url == "https://ada.example"
    assert (r.company, r.title) == ("AE", "Eng")


def test_legacy_layout_with_group_membership():
    header = (
        "Name,Given Name,Family Name,Birthday,Group Membership,E-mail 1 - Type,E-mail 1 - Value,"
        "Organization 1 - Name,Organization 1 - Title\r\n"
    )
    data = rows(header, '"Smith, Zoë",Zoë,Smith,1990-01-02,* My Contacts ::: Friends,* Home,Z@X.org,Co,CEO')
    [r] = read_google_csv(data).records
    assert (r.name, r.emails, r.birthday, r.tags) == ("Smith, Zoë", ["z@x.org"], "1990-01-02", ["Friends"])
    assert (r.company, r.title) == ("Co", "CEO")


def test_bom_and_windows_1252():
    header = "Name,E-mail 1 - Value\r\n"
    assert read_google_csv(b"\xef\xbb\xbf" + rows(header, "Zoë,z@x.org")).records[0].name == "Zoë"
    assert read_google_csv(rows(header, "Zoë,z@x.org", encoding="cp1252")).records[0].name == "Zoë"
    assert read_google_csv(rows(header, "Zoë,z@x.org", encoding="utf-16")).records[0].name == "Zoë"


def test_text_birthday_goes_to_notes():
    [r] = read_google_csv(rows("Name,Birthday\r\n", "Ada,sometime in May")).records
    assert r.birthday is None and r.notes == "Birthday: sometime in May"


def test_short_rows_blank_rows_and_rows_without_name_or_email():
    data = rows("Name,E-mail 1 - Value,Notes\r\n", "Ada", "", ",,just a note", "Bob,b@x.org")
    result = read_google_csv(data)
    assert [r.name for r in result.records] == ["Ada", "Bob"]
    assert [(e.position, "no name" in e.message) for e in result.errors] == [(2, True)]


def test_outlook_columns():
    header = "First Name,Last Name,Company,Job Title,E-mail Address,Mobile Phone,Categories\r\n"
    [r] = read_google_csv(rows(header, "Tom,Baker,BBC,Actor,tom@x.org,+44 1,Clients")).records
    assert (r.name, r.emails, r.phones, r.tags) == ("Tom Baker", ["tom@x.org"], ["+44 1"], ["Clients"])
