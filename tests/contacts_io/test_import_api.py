"""POST /api/contacts/import: the report, dedupe, dry run, limits and refusals."""

from __future__ import annotations

from tests.contacts_io.conftest import upload, vcard


def test_import_creates_contacts_and_reports(auth_client, user, contacts_of):
    data = vcard("FN:Ada Lovelace", "EMAIL:Ada@Example.org", "BDAY:1985-12-10") + vcard(
        "FN:Tom Baker", "TEL:+44 1", "CATEGORIES:Clients"
    )
    response = upload(auth_client, data)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["created"], body["updated"], body["skipped"], body["errors"]) == (2, 0, 0, [])
    assert body["format"] == "vcard" and body["total"] == 2
    stored = contacts_of(user)
    assert [(c["name"], c["emails"], c["birthday"], c["tags"]) for c in stored] == [
        ("Ada Lovelace", ["ada@example.org"], "1985-12-10", []),
        ("Tom Baker", [], None, ["Clients"]),
    ]


def test_importing_the_same_file_twice_changes_nothing(auth_client, user, contacts_of):
    data = vcard("FN:Ada", "EMAIL:ada@x.org", "NOTE:hello") + vcard("FN:Bob", "TEL:123")
    upload(auth_client, data)
    before = contacts_of(user)
    body = upload(auth_client, data).get_json()
    assert (body["created"], body["updated"], body["skipped"]) == (0, 0, 2)
    assert {s["reason"] for s in body["skipped_cards"]} == {
        "Already up to date (same e-mail).",
        "Already up to date (same name).",
    }
    assert contacts_of(user) == before


def test_match_by_email_fills_empty_fields_and_never_erases(auth_client, user, make_contact, contacts_of):
    make_contact(user, name="Ada L.", emails=["ada@x.org"], company="Typed by me", notes="mine")
    data = vcard(
        "FN:Ada Lovelace",
        "EMAIL:ADA@x.org",
        "EMAIL:ada@home.example",
        "ORG:Other Corp",
        "TITLE:Engineer",
        "NOTE:theirs",
        "CATEGORIES:Math",
        "BDAY:1985-12-10",
    )
    body = upload(auth_client, data).get_json()
    assert (body["created"], body["updated"]) == (0, 1)
    [ada] = contacts_of(user)
    assert ada["name"] == "Ada L."
    assert ada["company"] == "Typed by me"
    assert ada["notes"] == "mine"
    assert ada["title"] == "Engineer"
    assert ada["emails"] == ["ada@x.org", "ada@home.example"]
    assert ada["tags"] == ["Math"]
    assert ada["birthday"] == "1985-12-10"


def test_match_by_exact_name_ignores_case_and_spacing(auth_client, user, make_contact, contacts_of):
    make_contact(user, name="Tom  Baker")
    body = upload(auth_client, vcard("FN:tom baker", "EMAIL:tom@x.org")).get_json()
    assert (body["created"], body["updated"]) == (0, 1)
    assert contacts_of(user)[0]["emails"] == ["tom@x.org"]


def test_yearless_birthday_gains_its_year_but_a_different_day_is_kept(
    auth_client, user, make_contact, contacts_of
):
    make_contact(user, name="Ada", birthday="--12-10")
    make_contact(user, name="Bob", birthday="--01-01")
    upload(auth_client, vcard("FN:Ada", "BDAY:1985-12-10") + vcard("FN:Bob", "BDAY:1990-02-02"))
    assert [c["birthday"] for c in contacts_of(user)] == ["1985-12-10", "--01-01"]


def test_duplicate_cards_in_one_file_become_one_contact(auth_client, user, contacts_of):
    data = vcard("FN:Ada", "EMAIL:ada@x.org") + vcard("FN:Ada Lovelace", "EMAIL:ada@x.org", "TEL:1")
    body = upload(auth_client, data).get_json()
    assert (body["created"], body["merged"]) == (1, 1)
    [ada] = contacts_of(user)
    assert ada["phones"] == ["1"]


def test_dry_run_reports_the_same_and_writes_nothing(auth_client, user, contacts_of):
    data = vcard("FN:Ada", "EMAIL:ada@x.org") + vcard("TEL:1")
    preview = upload(auth_client, data, query="?dry_run=1").get_json()
    assert preview["dry_run"] is True
    assert contacts_of(user) == []
    real = upload(auth_client, data).get_json()
    assert {k: v for k, v in preview.items() if k != "dry_run"} == {
        k: v for k, v in real.items() if k != "dry_run"
    }
    assert len(contacts_of(user)) == 1


def test_one_bad_card_is_reported_by_position_and_name_and_the_rest_imported(auth_client, user, contacts_of):
    data = vcard("FN:Ada") + vcard("FN:" + "x" * 300) + vcard("TEL:5") + vcard("FN:Bob")
    body = upload(auth_client, data).get_json()
    assert body["created"] == 2
    assert body["skipped"] == 2
    assert [(e["card"], e["name"][:3]) for e in body["errors"]] == [(2, "xxx"), (3, "")]
    assert [c["name"] for c in contacts_of(user)] == ["Ada", "Bob"]


def test_card_with_field_the_contact_rules_refuse_is_an_error(auth_client, user, contacts_of):
    body = upload(auth_client, vcard("FN:Ada", "URL:" + "u" * 400 + ".example/" + "p" * 200)).get_json()
    # the URL is cut to 500 characters, which the rules accept
    assert body["created"] == 1 and body["errors"] == []


def test_csv_import(auth_client, user, contacts_of):
    data = b"Name,E-mail 1 - Type,E-mail 1 - Value\r\nJerry Mathis,Work,jerry@example.com\r\n"
    body = upload(auth_client, data, filename="google.csv").get_json()
    assert body["format"] == "csv" and body["created"] == 1
    assert contacts_of(user)[0]["emails"] == ["jerry@example.com"]


def test_file_over_ten_megabytes_is_413_and_nothing_written(auth_client, user, contacts_of):
    data = vcard("FN:Ada") * 10 + b"NOTE:" + b"x" * (10 * 1024 * 1024)
    response = upload(auth_client, data)
    assert response.status_code == 413
    assert "10 MB" in response.get_json()["message"]
    assert contacts_of(user) == []


def test_missing_file_field_is_400(auth_client):
    response = auth_client.post("/api/contacts/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "file" in response.get_json()["message"]


def test_import_needs_login(client):
    response = upload(client, vcard("FN:Ada"))
    assert response.status_code in (400, 401)  # CSRF or login, never a write


def test_routes_are_not_taken_by_the_contact_id_routes(app, auth_client):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/api/contacts/import", method="POST")[0] == "data_io.import_contacts"
    assert adapter.match("/api/contacts/export.vcf", method="GET")[0] == "data_io.export_vcard"
    assert auth_client.get("/api/contacts/export.vcf").status_code == 200


def test_contact_limit_is_respected(app, auth_client, user, contacts_of):
    app.config["CONTACTS_PER_USER_MAX"] = 2
    data = b"".join(vcard(f"FN:Person {n}") for n in range(4))
    body = upload(auth_client, data).get_json()
    assert body["created"] == 2
    assert [e["card"] for e in body["errors"]] == [3, 4]
    assert "limit" in body["errors"][0]["message"]
    assert len(contacts_of(user)) == 2


def test_imports_are_private_to_their_owner(app, auth_client, user, make_user, make_contact, contacts_of):
    other = make_user("other@example.com")
    make_contact(other, name="Ada", emails=["ada@x.org"])
    body = upload(auth_client, vcard("FN:Ada", "EMAIL:ada@x.org")).get_json()
    assert body["created"] == 1
    assert len(contacts_of(other)) == 1 and len(contacts_of(user)) == 1
