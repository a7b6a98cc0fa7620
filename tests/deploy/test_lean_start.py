"""The web process imports what a request needs: migrations, calendar parsing, vCard photos,
outbound HTTP and the push stack load only in the processes and requests that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSWORD, REPO_ROOT
from tests.deploy.conftest import clean_env, free_port

# Not needed to start, sign up, browse and log: each is megabytes resident once imported.
HEAVY = ("alembic", "flask_migrate", "mako", "pygments", "icalendar", "recurring_ical_events",
         "vobject", "PIL", "requests", "urllib3", "cryptography", "pywebpush", "http_ece",
         "py_vapid", "schemathesis")

# The app as `rapport serve` builds it (after its migrate child), through a day's requests.
PROBE = f"""
import json, sys, uuid
from server.cli import serving_app
client = serving_app().test_client()
token = client.get("/api/auth/csrf").get_json()["csrf_token"]
headers = {{"X-CSRFToken": token}}
answers = [client.post("/api/auth/register", headers=headers,
                       json={{"email": "lean@example.com", "password": {PASSWORD!r}}}).status_code]
headers = {{"X-CSRFToken": client.get("/api/auth/csrf").get_json()["csrf_token"]}}  # new session
contact = client.post("/api/contacts", headers=headers, json={{"name": "Ada Lovelace"}})
answers.append(contact.status_code)
answers.append(client.put(f"/api/interactions/{{uuid.uuid4()}}", headers=headers, json={{
    "occurred_at": "2025-01-15T09:30:00+00:00", "kind": "call",
    "contact_ids": [contact.get_json()["id"]]}}).status_code)
for path in ("/", "/app.js", "/api/auth/me", "/api/today", "/api/habits?days=90", "/api/contacts",
             "/api/meetings", "/api/settings", "/api/calendars", "/api/push/subscriptions"):
    answers.append(client.get(path).status_code)
loaded = sorted(name for name in {HEAVY!r} if name in sys.modules)
key = client.get("/api/push/key")
print(json.dumps({{"answers": answers, "loaded": loaded, "key_status": key.status_code,
                  "crypto_after_key": "cryptography" in sys.modules}}))
"""


def test_serving_a_day_of_requests_loads_none_of_the_heavy_modules(tmp_path: Path):
    env = clean_env(tmp_path / "data")
    migrated = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=env, cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["answers"] == [201, 201, 201] + [200] * 10
    assert figures["loaded"] == []
    # Lazily, not never: the push key request brings cryptography in and answers.
    assert figures["key_status"] == 200
    assert figures["crypto_after_key"]


def test_serve_still_refuses_keys_the_database_was_not_set_up_with(tmp_path: Path):
    first = clean_env(tmp_path / "first")
    migrated = subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=first, cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    # Another node: the same database, its own freshly generated keys.
    other = clean_env(tmp_path / "other",
                      RAPPORT_DATABASE_URL=f"sqlite:///{tmp_path / 'first' / 'rapport.sqlite3'}")
    served = subprocess.run([sys.executable, "-m", "server.cli", "-v", "serve", "--no-worker", "--port",
                             str(free_port())], env=other, cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert served.returncode == 1
    assert "keys differ" in served.stderr
    assert "RAPPORT_SECRET_KEY and RAPPORT_VAPID_PRIVATE_KEY" in served.stderr
    assert "Rapport is listening" not in served.stdout
