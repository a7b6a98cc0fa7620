"""Real-world exports from ../shared/samples: names, e-mails and dates card by card."""

from __future__ import annotations

import pytest

from server.contacts_io.sniff import read_contacts_file
from tests.conftest import SAMPLES_DIR

pytestmark = [
    pytest.mark.samples,
    pytest.mark.skipif(not SAMPLES_DIR.is_dir(), reason="../shared/samples is not present"),
]

N = "Ñ"

# file → [(name, emails, birthday, anniversary)] in file order
EXPECTED = {
    "iphone_ios5_export.vcf": [
        ("Mr. John Richter James Doe Sr.", ["john.doe@ibm.com"], "2012-06-06", None),
    ],
    "gmail_export_unescaped_comma_fn.vcf": [
        ("Mr. John Richter, James Doe Sr.", ["john.doe@ibm.com"], "1980-03-22", "1975-03-01"),
    ],
    "gmail_export_many_emails_xabdate.vcf": [
        (
            "VCard Test",
            [
                "email@example.com",
                "homeemail@example.com",
                "workemail@example.com",
                "otheremail@example.com",
                "customcategory@example.com",
            ],
            "1912-06-23",
            "1930-03-20",
        ),
    ],
    "android_21_quoted_printable.vcf": [
        ("john.doe@company.com", ["john.doe@company.com"], None, None),
        ("jane.doe@company.com", ["jane.doe@company.com"], None, None),
        (f"{N} {N} {N} {N} {N}", [], None, None),
        (" ".join([N] * 11), [], None, None),
        (f"{N} {N} {N} {N}", ["bob@company.com"], None, None),
        (N * 4, ["henry@company.com"], None, None),
    ],
    "outlook2007_x_ms_anniversary.vcf": [
        ("Mr. Michael Angstadt Jr.", ["mike.angstadt@gmail.com"], "1922-03-10", "2012-08-01"),
    ],
    "cardbook_bday_1604_no_param.vcf": [
        ("Test bday without year Thunderbird CardBook", [], "--01-01", None),
    ],
    "vcard4_text_bday.vcf": [("text birthday", [], None, None)],
    "google_contacts_legacy_layout.csv": [
        ("Jerry Mathis", ["jerry@example.com"], None, None),
        ("Zoë, Smith", ["zoe@example.com"], None, None),
    ],
    "SYNTHETIC_google_contacts_new_layout.csv": [
        (
            "Dr. Ada King Lovelace",
            ["ada@work.example", "ada@home.example", "ada.old@example.org"],
            "--12-10",  # 1815: older than anyone alive, kept without the year
            "1835-07-08",
        ),
        ("Robert Smith", ["rob.smith@acme.example"], "--03-07", None),
        ("Carlos Vecino", [], None, None),
        ("only.an.address@example.net", ["only.an.address@example.net"], None, None),
    ],
}


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_sample_reads_card_by_card(filename):
    path = SAMPLES_DIR / filename
    if not path.exists():
        pytest.skip(f"{filename} is not in ../shared/samples")
    _kind, result = read_contacts_file(path.read_bytes(), filename)
    assert result.errors == []
    got = [(r.name, r.emails, r.birthday, r.anniversary) for r in result.records]
    assert got == EXPECTED[filename]


def test_text_birthday_sample_is_kept_as_a_note():
    _kind, result = read_contacts_file((SAMPLES_DIR / "vcard4_text_bday.vcf").read_bytes())
    assert result.records[0].notes == "Birthday: circa 1800"


def test_iphone_sample_phones_org_and_url():
    _kind, result = read_contacts_file((SAMPLES_DIR / "iphone_ios5_export.vcf").read_bytes())
    ada = result.records[0]
    assert ada.company == "IBM" and ada.title == "Money Counter"
    assert ada.phones[0] == "905-555-1234"
    assert ada.url == "http://www.ibm.com"


def test_new_layout_csv_labels_become_tags_and_primary_email_first():
    _kind, result = read_contacts_file(
        (SAMPLES_DIR / "SYNTHETIC_google_contacts_new_layout.csv").read_bytes(), "x.csv"
    )
    ada, robert, carlos, _ = result.records
    assert ada.tags == ["Family"] and robert.tags == ["Work"]
    assert robert.phones == ["+1 415 555 0134", "+1 415 555 0135"]
    assert ada.notes == "Two\nlines"
    assert carlos.emails == []  # the literal "none"


def test_every_sample_imports_through_the_api(auth_client, user, contacts_of):
    from tests.contacts_io.conftest import upload

    for filename in sorted(EXPECTED):
        body = upload(auth_client, (SAMPLES_DIR / filename).read_bytes(), filename=filename).get_json()
        assert body["errors"] == [], (filename, body)
    names = {c["name"] for c in contacts_of(user)}
    assert "Mr. John Richter, James Doe Sr." in names and "Dr. Ada King Lovelace" in names
