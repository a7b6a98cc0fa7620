"""LinkedIn's Connections.csv: the notes preamble, company and position kept, "Connected On"
as how you met, the same dry-run report and dedupe as the other imports."""

from __future__ import annotations

from tests.contacts_io.conftest import upload

CONNECTIONS = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing. You will only see email addresses for connections who have allowed their '
    'connections to see or download their email address using this setting '
    'https://www.linkedin.com/psettings/privacy/email. You can learn more here '
    'https://www.linkedin.com/help/linkedin/answer/261"\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    "Raj,Patel,https://www.linkedin.com/in/rajpatel,raj@patel.example,Acme,CTO,12 Mar 2021\r\n"
    "Priya,Shah,https://www.linkedin.com/in/priyashah,,\"Lumen, Inc.\",Head of Growth,"
    "01 Feb 2024\r\n"
    "Zoë,Müller,https://www.linkedin.com/in/zoe,,Café Ltd,Founder,30 Nov 2026\r\n"
    ",,https://www.linkedin.com/in/nobody,,,,05 Jan 2020\r\n"
).encode()


def test_connections_import_keeps_company_position_and_when_you_met(auth_client, user,
                                                                     contacts_of):
    response = upload(auth_client, CONNECTIONS, filename="Connections.csv")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["format"] == "linkedin"
    assert (report["total"], report["created"], report["skipped"]) == (4, 3, 1)
    assert report["errors"][0]["message"] == "This row has no name."
    raj = auth_client.get("/api/contacts?q=Raj").get_json()["items"][0]
    assert (raj["company"], raj["title"], raj["emails"]) == ("Acme", "CTO", ["raj@patel.example"])
    assert raj["how_met"] == "Connected on LinkedIn on 12 Mar 2021"
    assert raj["url"] == "https://www.linkedin.com/in/rajpatel"
    names = sorted(c["name"] for c in contacts_of(user))
    assert names == ["Priya Shah", "Raj Patel", "Zoë Müller"]
    priya = auth_client.get("/api/contacts?q=Priya").get_json()["items"][0]
    assert priya["company"] == "Lumen, Inc." and priya["emails"] == []


def test_dry_run_reports_and_writes_nothing_then_a_second_import_dedupes(auth_client, user,
                                                                         contacts_of):
    auth_client.post("/api/contacts", json={"name": "Raj Patel", "emails": ["raj@patel.example"],
                                            "how_met": "Met at a conference"})
    preview = upload(auth_client, CONNECTIONS, filename="Connections.csv", query="?dry_run=1")
    assert preview.get_json()["dry_run"] is True
    assert (preview.get_json()["created"], preview.get_json()["updated"]) == (2, 1)
    assert len(contacts_of(user)) == 1
    first = upload(auth_client, CONNECTIONS, filename="Connections.csv").get_json()
    assert (first["created"], first["updated"]) == (2, 1)
    again = upload(auth_client, CONNECTIONS, filename="Connections.csv").get_json()
    assert (again["created"], again["updated"]) == (0, 0)
    assert len(contacts_of(user)) == 3
    raj = auth_client.get("/api/contacts?q=Raj").get_json()["items"][0]
    assert raj["how_met"] == "Met at a conference"  # what the user wrote is kept
    assert raj["company"] == "Acme"  # an empty field is filled


def test_a_google_csv_is_still_read_as_google(auth_client):
    data = b"Name,E-mail 1 - Value\r\nTom Baker,tom@example.com\r\n"
    assert upload(auth_client, data, filename="contacts.csv").get_json()["format"] == "csv"
