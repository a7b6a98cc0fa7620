"""Import throughput: a generated 5,000-card vCard file, parsed alone and imported end to end.

Prints JSON figures. The database is a temporary SQLite file unless
RAPPORT_BENCH_DATABASE_URL points at another (e.g. PostgreSQL; its tables are reset).
Run: python bench/bench_import.py [--cards 5000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchdb import fresh_database  # noqa: E402


def generate_vcards(count: int) -> bytes:
    """A realistic mix: folded notes, several e-mails and phones, yearless birthdays, a photo."""
    cards = []
    for n in range(count):
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:Person {n}\\, Example",
            f"N:Example;Person {n};;;",
            f"EMAIL;TYPE=INTERNET;TYPE=pref:person{n}@example.com",
            f"EMAIL;TYPE=INTERNET:p{n}@home.example",
            f"TEL;TYPE=CELL:+44 20 7946 {n:04d}",
            f"ORG:Company {n % 97};Dept",
            "TITLE:Engineer",
            f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "CATEGORIES:Clients,Imported",
            "NOTE:Met at a conference\\, talked about the weather and a long note that wi",
            " ll be folded across lines",
        ]
        if n % 10 == 0:
            lines.append("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD")
            lines.extend(" " + "A" * 74 for _ in range(40))
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines) + "\r\n")
    return "".join(cards).encode("utf-8")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=5000)
    args = parser.parse_args()

    from server import create_app
    from server.cli import migrate_database
    from server.config import TestConfig
    from server.contacts_io.sniff import read_contacts_file
    from server.extensions import db
    from server.models import User

    data = generate_vcards(args.cards)
    started = time.perf_counter()
    _kind, parsed = read_contacts_file(data, "bench.vcf")
    parse_seconds = time.perf_counter() - started
    assert len(parsed.records) == args.cards, parsed.errors[:3]

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(os.environ.get("RAPPORT_BENCH_DATABASE_URL"), Path(tmp))
        config = TestConfig(
            {
                **os.environ,
                "RAPPORT_DATABASE_URL": url,
                "RAPPORT_DATA_DIR": tmp,
                "RAPPORT_SECRET_KEY": "bench-secret-key",
            }
        )
        app = create_app(config)
        app.config["CONTACTS_PER_USER_MAX"] = max(50_000, args.cards * 2)
        migrate_database(app)
        with app.app_context():
            from server.auth import hash_password

            user = User(email="bench@example.com", password_hash=hash_password("bench pass 123"))
            db.session.add(user)
            db.session.commit()
        client = app.test_client()
        token = client.get("/api/auth/csrf").get_json()["csrf_token"]
        client.post(
            "/api/auth/login",
            json={"email": "bench@example.com", "password": "bench pass 123"},
            headers={"X-CSRFToken": token},
        )
        token = client.get("/api/auth/csrf").get_json()["csrf_token"]  # a new one after signing in

        def post(query: str = "") -> tuple[float, dict]:
            begun = time.perf_counter()
            response = client.post(
                f"/api/contacts/import{query}",
                data={"file": (io.BytesIO(data), "bench.vcf")},
                content_type="multipart/form-data",
                headers={"X-CSRFToken": token},
            )
            assert response.status_code == 200, response.get_json()
            return time.perf_counter() - begun, response.get_json()

        first_seconds, first = post()
        again_seconds, again = post()
        begun = time.perf_counter()
        exported = client.get("/api/contacts/export.vcf")
        export_seconds = time.perf_counter() - begun
        with app.app_context():
            dialect = db.engine.dialect.name
            db.engine.dispose()

    print(
        json.dumps(
            {
                "cards": args.cards,
                "file_bytes": len(data),
                "database": dialect,
                "parse_seconds": round(parse_seconds, 3),
                "parse_cards_per_second": round(args.cards / parse_seconds),
                "import_seconds": round(first_seconds, 3),
                "import_cards_per_second": round(args.cards / first_seconds),
                "created": first["created"],
                "reimport_seconds": round(again_seconds, 3),
                "reimport_cards_per_second": round(args.cards / again_seconds),
                "reimport_skipped": again["skipped"],
                "export_seconds": round(export_seconds, 3),
                "export_bytes": len(exported.data),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
