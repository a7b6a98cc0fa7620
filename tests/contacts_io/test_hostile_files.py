"""Garbage, oversize and hostile uploads: a clear refusal or a bounded, partial import."""

from __future__ import annotations

import gzip
import io
import random
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.contacts_io.google_csv import read_google_csv
from server.contacts_io.records import NotAContactsFile
from server.contacts_io.sniff import read_contacts_file
from server.contacts_io.vcard import read_vcards
from tests.contacts_io.conftest import upload, vcard


def test_vcard_of_100000_lines_reads_every_card():
    data = b"".join(vcard(f"FN:Person {n}", f"EMAIL:p{n}@x.org", "TEL:1") for n in range(16_667))
    assert data.count(b"\r\n") > 100_000
    result = read_vcards(data)
    assert len(result.records) == 16_667
    assert result.records[-1].emails == ["p16666@x.org"]


def test_one_card_of_100000_lines_is_refused_alone():
    huge = vcard("FN:Hostile", *[f"TEL:{n}" for n in range(100_000)])
    result = read_vcards(vcard("FN:Ada") + huge + vcard("FN:Bob"))
    assert [r.name for r in result.records] == ["Ada", "Bob"]
    assert result.errors[0].position == 2 and "too many" in result.errors[0].message


def test_deeply_folded_line_is_bounded():
    folded = "NOTE:x\r\n" + "\r\n".join(" y" for _ in range(400_000))
    result = read_vcards(vcard("FN:Ada") + vcard("FN:Deep", folded) + vcard("FN:Bob"))
    assert [r.name for r in result.records] == ["Ada", "Bob"]
    assert result.errors[0].name == "Deep" and "too long" in result.errors[0].message


def test_deeply_folded_name_within_limits_is_read():
    folded = "FN:A\r\n" + "\r\n".join(" b" for _ in range(150))
    assert read_vcards(vcard(folded)).records[0].name == "A" + "b" * 150


def test_property_of_a_million_characters_fails_its_card_only():
    result = read_vcards(vcard("FN:Ada") + vcard("FN:Big", "NOTE:" + "n" * 1_000_000) + vcard("FN:Bob"))
    assert [r.name for r in result.records] == ["Ada", "Bob"]
    assert result.errors[0].position == 2


def test_photo_of_a_million_characters_is_ignored():
    result = read_vcards(vcard("FN:Ada", "PHOTO;ENCODING=b:" + "A" * 1_000_000, "EMAIL:a@x.org"))
    assert result.records[0].emails == ["a@x.org"] and not result.errors


def test_csv_with_10000_columns_still_finds_the_known_ones():
    header = [f"Custom {n}" for n in range(10_000)]
    header[5000], header[9999] = "Name", "E-mail 1 - Value"
    row = [""] * 10_000
    row[5000], row[9999] = "Ada", "ada@x.org"
    data = (",".join(header) + "\r\n" + ",".join(row) + "\r\n").encode()
    [record] = read_google_csv(data).records
    assert (record.name, record.emails) == ("Ada", ["ada@x.org"])


def test_csv_with_10000_unknown_columns_is_not_a_contacts_file():
    data = (",".join(f"c{n}" for n in range(10_000)) + "\r\n" + "1," * 9_999 + "1\r\n").encode()
    with pytest.raises(NotAContactsFile):
        read_google_csv(data)


def test_csv_cell_over_the_field_limit_fails_its_row_only():
    data = b'Name,Notes\r\nAda,short\r\nBig,"' + b"x" * 300_000 + b'"\r\nBob,ok\r\n'
    result = read_google_csv(data)
    assert "Ada" in [r.name for r in result.records]
    assert result.errors


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("contacts.vcf", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (_zip_bomb(), "zip"),
        (gzip.compress(b"BEGIN:VCARD\r\n" * 100_000), "gzip"),
        (random.Random(7).randbytes(200_000), "binary"),
        (b"%PDF-1.4 ...", "PDF"),
    ],
)
def test_archives_and_binary_are_refused_with_415_and_nothing_written(
    auth_client, user, contacts_of, data, what
):
    response = upload(auth_client, data, filename="contacts.vcf")
    assert response.status_code == 415, response.get_json()
    assert what.lower() in response.get_json()["message"].lower()
    assert contacts_of(user) == []


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "contacts.vcf"),
        (b"just some words\nnot a card\n", "contacts.vcf"),
        (b"a,b,c\n1,2,3\n", "data.csv"),
        (b"\xff\xfe\xfd garbage without nul", "x.txt"),
    ],
)
def test_text_that_is_not_contacts_is_422_and_nothing_written(auth_client, user, contacts_of, data, filename):
    response = upload(auth_client, data, filename=filename)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["message"]
    assert contacts_of(user) == []


def test_sniffing_picks_the_reader_by_content_not_the_name():
    kind, result = read_contacts_file(vcard("FN:Ada"), "export.txt")
    assert kind == "vcard" and result.records[0].name == "Ada"
    kind, _ = read_contacts_file(b"Name,E-mail 1 - Value\nAda,a@x.org\n", "export.txt")
    assert kind == "csv"


def test_random_bytes_never_raise_anything_but_not_a_contacts_file():
    rng = random.Random(11)
    for size in (1, 10, 100, 1000):
        for _ in range(50):
            data = b"BEGIN:VCARD\r\n" + rng.randbytes(size)
            try:
                read_vcards(data)
            except NotAContactsFile:
                pass


_line = st.one_of(
    st.sampled_from(
        [
            "BEGIN:VCARD",
            "END:VCARD",
            "VERSION:2.1",
            "FN:Ada",
            "EMAIL:a@x.org",
            " folded",
            "\tfolded",
            "=",
            "N;ENCODING=QUOTED-PRINTABLE:=C3=",
            "PHOTO;ENCODING=b:AAA",
            "",
            'EMAIL;X="a:b":c@d.e',
            "BDAY:--0230",
            "item1.X-ABDATE:x",
            "CATEGORIES:,,,",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=40), st.sampled_from(["\r\n", "\n", "\r", "\r\r\n"]))
def test_any_mix_of_lines_is_read_or_refused_cleanly(lines, eol):
    data = eol.join(lines).encode("utf-8", errors="surrogatepass")
    try:
        result = read_vcards(data)
    except NotAContactsFile:
        return
    for record in result.records:
        assert record.name and len(record.name) <= 200


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_csv_are_read_or_refused_cleanly(data):
    try:
        read_google_csv(b"Name,E-mail 1 - Value\r\n" + data)
    except NotAContactsFile:
        pass
