"""The app around the API: OpenAPI document, shell, headers, probes, settings, errors."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.extensions import db
from server.models import Base


def test_openapi_describes_every_api_route(client, app):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        path.replace("{", "<").replace("}", ">")
        for path in spec["paths"]
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json":
            routes.add(rule.rule.replace("<int:", "<").replace("<string:", "<").replace("<uuid:", "<"))
    missing = {r for r in routes if r not in documented}
    assert not missing, missing
    contact = spec["components"]["schemas"]["Contact"]
    assert "emails" in contact["properties"]


def test_shell_is_served_for_screen_paths(client):
    for path in ("/", "/people", "/people/12", "/log", "/habits", "/settings"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.mimetype == "text/html"
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_service_worker_is_served_from_root_uncached(client):
    r = client.get("/service-worker.js")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-cache"
    assert "javascript" in r.mimetype


def test_unknown_api_route_is_json_404(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.get_json()["code"] == 404


def test_wrong_method_is_json_405(auth_client):
    r = auth_client.put("/api/contacts", json={})
    assert r.status_code == 405
    assert r.get_json()["code"] == 405


def test_path_traversal_outside_web_is_refused(client):
    assert client.get("/../pyproject.toml").status_code == 404
    assert client.get("/%2e%2e/pyproject.toml").status_code == 404


def test_oversized_body_is_413(auth_client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    r = auth_client.post("/api/contacts", data=big, content_type="application/json")
    assert r.status_code == 413
    assert r.get_json()["code"] == 413


def test_healthz_and_readyz(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["checks"]["database"] == "ok"
    assert r.get_json()["checks"]["worker"] == "never seen"
    from server.models import utcnow
    from server.worker import record_heartbeat

    with app.app_context():
        record_heartbeat(utcnow(), {"calendars_synced": 0})
    r = client.get("/readyz")
    assert r.status_code == 200
    checks = r.get_json()["checks"]
    assert checks["worker"] == "ok"
    assert checks["notifications_late"] == 0
    assert checks["calendars_with_errors"] == 0
    assert checks["last_calendar_sync"] is None


def test_settings_defaults_and_update(auth_client):
    s = auth_client.get("/api/settings").get_json()
    assert s["timezone"] == "Europe/London"
    assert s["prompt_delay_minutes"] == 5
    assert s["quiet_hours_start"] == "22:00"
    assert s["birthday_lead_days"] == [7, 1, 0]
    assert s["cadence_by_kind"]["mentor"] == 60
    r = auth_client.patch(
        "/api/settings",
        json={"prompt_delay_minutes": 0, "cadence_by_kind": {"peer": 30},
              "my_emails": ["Maya@Work.Example"], "timezone": "America/New_York"},
    )
    assert r.status_code == 200, r.get_json()
    s = auth_client.get("/api/settings").get_json()
    assert s["prompt_delay_minutes"] == 0
    assert s["cadence_by_kind"]["peer"] == 30 and s["cadence_by_kind"]["mentor"] == 60
    assert s["my_emails"] == ["maya@work.example"]
    assert auth_client.get("/api/auth/me").get_json()["timezone"] == "America/New_York"


def test_invalid_settings_change_nothing(auth_client):
    for bad in (
        {"prompt_delay_minutes": 500},
        {"quiet_hours_start": "25:00"},
        {"cadence_by_kind": {"enemy": 3}},
        {"digest_weekday": 7},
        {"timezone": "Europe/Atlantis"},
        {"birthday_lead_days": [1, 2, 3, 4, 5, 6]},
    ):
        r = auth_client.patch("/api/settings", json=bad)
        assert r.status_code == 422, bad
    s = auth_client.get("/api/settings").get_json()
    assert s["prompt_delay_minutes"] == 5
    assert s["quiet_hours_start"] == "22:00"
    assert s["timezone"] == "Europe/London"


def test_migrations_match_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_postgresql_connections_do_not_jit_compile(app):
    """The read models' aggregates are estimated costly enough for JIT, which only slows them."""
    import pytest
    from sqlalchemy import text

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL setting")
        db.session.rollback()  # a fresh transaction on a pooled connection keeps it
        assert db.session.scalar(text("SHOW jit")) == "off"


def test_secrets_at_rest_round_trip_and_fail_with_another_key(app):
    import pytest

    from server.crypto import decrypt_secret, encrypt_secret

    with app.app_context():
        token = encrypt_secret("https://calendar.example/private-abc.ics")
        assert "private-abc" not in token
        assert decrypt_secret(token) == "https://calendar.example/private-abc.ics"
        with pytest.raises(ValueError):
            decrypt_secret(token, secret_key="another key")


def test_vapid_key_from_environment_in_pem_raw_or_der_form(tmp_path):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from server.config import Config
    from server.keys import vapid_public_key

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    raw = base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).decode().rstrip("=")
    der = base64.urlsafe_b64encode(key.private_bytes(serialization.Encoding.DER,
                                                     serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())).decode()
    expected = vapid_public_key(pem)
    for form in (pem, pem.replace("\n", "\\n"), raw, der):
        cfg = Config({"RAPPORT_DATA_DIR": str(tmp_path), "RAPPORT_SECRET_KEY": "x",
                      "RAPPORT_VAPID_PRIVATE_KEY": form}).finalize()
        assert vapid_public_key(cfg["VAPID_PRIVATE_KEY"]) == expected
    assert not (tmp_path / "vapid_private.pem").exists()
