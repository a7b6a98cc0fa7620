"""Invitations and the first account: single-use links that expire, list and revoke, and
exactly one admin however many people sign up at the same moment."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Invite, User, utcnow
from tests.browser.conftest import LiveServer

ADMIN = {"email": "admin@example.com", "password": "admin's own pw"}


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


@pytest.fixture
def invite_app(app_factory):
    return app_factory(RAPPORT_REGISTRATION="invite", RAPPORT_BASE_URL="https://rapport.example")


@pytest.fixture
def admin(invite_app):
    client = invite_app.test_client()
    assert client.post("/api/auth/register", json=ADMIN).status_code == 201
    return client


def sign_up(app, email: str, code: str | None = None) -> Any:
    body = {"email": email, "password": "a long pass phrase"}
    if code is not None:
        body["invite"] = code
    return app.test_client().post("/api/auth/register", json=body)


def test_invitation_is_a_link_with_expiry_that_works_once(invite_app, admin):
    r = admin.post("/api/auth/invites", json={"label": "Priya", "expires_in_days": 3})
    assert r.status_code == 201
    made = r.get_json()
    assert made["url"].startswith("https://rapport.example/join?code=")
    assert code_of(made["url"]) == made["code"]
    assert made["label"] == "Priya"
    assert 3 * 86400 - 60 < (
        _parse(made["expires_at"]) - _parse(made["created_at"])
    ).total_seconds() <= 3 * 86400
    assert sign_up(invite_app, "priya@example.com", made["code"]).status_code == 201
    again = sign_up(invite_app, "other@example.com", made["code"])
    assert again.status_code == 403
    assert "already used" in again.get_json()["message"]


def test_sign_up_without_a_code_says_how_to_get_one(invite_app, admin):
    r = sign_up(invite_app, "stranger@example.com")
    assert r.status_code == 403
    assert "Ask the person who runs" in r.get_json()["message"]
    check = invite_app.test_client().get("/api/auth/registration").get_json()
    assert check == {
        "mode": "invite", "first_account": False, "allowed": False, "message": r.get_json()["message"],
    }


def test_registration_check_reads_the_link_code(invite_app, admin):
    code = admin.post("/api/auth/invites", json={}).get_json()["code"]
    anonymous = invite_app.test_client()
    assert anonymous.get(f"/api/auth/registration?code={code}").get_json()["allowed"] is True
    bad = anonymous.get("/api/auth/registration?code=nope").get_json()
    assert bad["allowed"] is False and "not valid" in bad["message"]


def test_fresh_instance_lets_the_first_person_in_without_a_code(invite_app):
    check = invite_app.test_client().get("/api/auth/registration").get_json()
    assert check["first_account"] is True and check["allowed"] is True


def test_expired_invitation_is_refused_and_not_listed(invite_app, admin):
    made = admin.post("/api/auth/invites", json={"label": "Late"}).get_json()
    with invite_app.app_context():
        invite = db.session.get(Invite, made["id"])
        invite.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    r = sign_up(invite_app, "late@example.com", made["code"])
    assert r.status_code == 403
    assert "expired" in r.get_json()["message"]
    assert admin.get("/api/auth/invites").get_json() == []


def test_list_shows_open_invitations_and_revoke_kills_the_link(invite_app, admin):
    first = admin.post("/api/auth/invites", json={"label": "Ana"}).get_json()
    second = admin.post("/api/auth/invites", json={"label": "Ben"}).get_json()
    listed = admin.get("/api/auth/invites").get_json()
    assert [i["label"] for i in listed] == ["Ben", "Ana"]
    assert all("code" not in i for i in listed)
    assert admin.delete(f"/api/auth/invites/{first['id']}").status_code == 204
    assert [i["id"] for i in admin.get("/api/auth/invites").get_json()] == [second["id"]]
    assert sign_up(invite_app, "ana@example.com", first["code"]).status_code == 403


def test_invitations_are_the_admins_own(invite_app, admin):
    made = admin.post("/api/auth/invites", json={}).get_json()
    member = invite_app.test_client()
    code = admin.post("/api/auth/invites", json={}).get_json()["code"]
    assert member.post(
        "/api/auth/register", json={"email": "m@example.com", "password": "member pass phrase", "invite": code}
    ).status_code == 201
    assert member.post("/api/auth/invites", json={}).status_code == 403
    assert member.get("/api/auth/invites").status_code == 403
    assert member.delete(f"/api/auth/invites/{made['id']}").status_code == 403
    assert admin.delete("/api/auth/invites/999999").status_code == 404


def test_people_racing_with_one_link_get_one_account(app_factory):
    app = app_factory(RAPPORT_REGISTRATION="invite")  # plain http: the cookies travel over loopback
    admin = app.test_client()
    assert admin.post("/api/auth/register", json=ADMIN).status_code == 201
    code = admin.post("/api/auth/invites", json={}).get_json()["code"]
    statuses = _concurrently(app, [(f"race{n}@example.com", code) for n in range(4)])
    assert sorted(statuses) == [201, 403, 403, 403]


@pytest.mark.parametrize("mode", ["open", "invite"])
def test_eight_simultaneous_sign_ups_on_a_fresh_instance_make_one_admin(app_factory, mode):
    app = app_factory(RAPPORT_REGISTRATION=mode)
    statuses = _concurrently(app, [(f"first{n}@example.com", None) for n in range(8)])
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        admins = [u for u in users if u.is_admin]
    assert len(admins) == 1
    if mode == "open":
        assert sorted(statuses) == [201] * 8 and len(users) == 8
    else:
        assert sorted(statuses) == [201] + [403] * 7 and len(users) == 1


def _concurrently(app, people: list[tuple[str, str | None]]) -> list[int]:
    """Sign everyone up through the real HTTP server, all released at the same moment."""
    server = LiveServer(app).start()
    gate = threading.Barrier(len(people))
    statuses: list[int] = []
    try:
        threads = [
            threading.Thread(target=_sign_up_over_http, args=(server.url, email, code, gate, statuses))
            for email, code in people
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.stop()
    assert len(statuses) == len(people)
    return statuses


def _sign_up_over_http(base: str, email: str, code: str | None, gate: threading.Barrier, out: list[int]) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/api/auth/csrf", timeout=30) as r:
        token = json.load(r)["csrf_token"]
    body: dict[str, Any] = {"email": email, "password": "a long pass phrase"}
    if code:
        body["invite"] = code
    request = urllib.request.Request(
        f"{base}/api/auth/register", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    gate.wait(timeout=60)
    try:
        with opener.open(request, timeout=60) as r:
            out.append(r.status)
    except urllib.error.HTTPError as err:
        out.append(err.code)


def _parse(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value)


def test_rapport_invite_prints_the_same_kind_of_link(app_factory, database_url, make_user, tmp_path):
    from click.testing import CliRunner

    from server.cli import main

    make_user("owner@example.com", is_admin=True)
    env = {
        "RAPPORT_DATABASE_URL": database_url,
        "RAPPORT_DATA_DIR": str(tmp_path / "cli-data"),
        "RAPPORT_SECRET_KEY": "test-secret-key-not-for-production",
        "RAPPORT_BASE_URL": "https://rapport.example",
    }
    result = CliRunner().invoke(main, ["invite", "--email", "owner@example.com", "--label", "Sam"], env=env)
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://rapport.example/join?code=")
    app = app_factory(RAPPORT_REGISTRATION="invite")
    assert sign_up(app, "sam@example.com", code_of(link)).status_code == 201
    refused = CliRunner().invoke(main, ["invite", "--email", "sam@example.com"], env=env)
    assert refused.exit_code != 0 and "No admin account" in refused.output


def test_after_the_last_account_is_deleted_the_next_sign_up_is_first_again(invite_app, admin):
    assert admin.delete("/api/auth/me", json={"password": ADMIN["password"]}).status_code == 204
    again = sign_up(invite_app, "new-owner@example.com")
    assert again.status_code == 201 and again.get_json()["is_admin"] is True
