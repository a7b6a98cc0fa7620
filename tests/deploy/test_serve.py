"""`rapport serve` as deployed: its own address in links, warnings about other origins,
and slow clients that cannot starve everybody else."""

from __future__ import annotations

import socket
from pathlib import Path

import requests

from tests.deploy.conftest import clean_env, get_json, signed_in_session


def test_links_follow_the_port_serve_listens_on(serve, tmp_path: Path):
    server = serve("--no-worker").wait()
    session = signed_in_session(server.url)
    feed = session.get(f"{server.url}/api/calendar-feed", timeout=10).json()
    assert feed["url"].startswith(f"{server.url}/calendar/")
    assert f"links use {server.url}" in server.stop()


def test_configured_base_url_wins_over_the_port(serve, tmp_path: Path):
    env = clean_env(tmp_path / "data", RAPPORT_BASE_URL="https://rapport.example")
    server = serve("--no-worker", env=env).wait()
    session = requests.Session()
    assert session.get(f"{server.url}/api/auth/csrf", timeout=10).status_code == 200
    assert "links use https://rapport.example" in server.stop()


def test_a_request_from_another_origin_is_warned_about_once(serve):
    server = serve("--no-worker").wait()
    for _ in range(3):
        assert requests.get(f"{server.url}/healthz", headers={"Host": "rapport.lan:8000"}, timeout=10).ok
    assert requests.get(f"{server.url}/healthz", headers={"Origin": "http://other.lan"}, timeout=10).ok
    out = server.stop()
    warnings = [line for line in out.splitlines() if "RAPPORT_BASE_URL" in line and "WARNING" in line]
    assert len(warnings) == 1, out
    assert "http://rapport.lan:8000" in warnings[0]
    assert server.url in warnings[0]


def test_the_access_log_has_one_line_per_request_and_no_feed_secret(serve):
    server = serve("--no-worker").wait()
    session = signed_in_session(server.url)
    url = session.get(f"{server.url}/api/calendar-feed", timeout=10).json()["url"]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert session.get(url, timeout=10).status_code == 200
    assert session.get(f"{server.url}/api/contacts?q=private-search", timeout=10).ok
    out = server.stop()
    assert secret not in out
    assert "private-search" not in out
    assert "GET /calendar/<secret>.ics 200" in out
    assert "GET /api/contacts 200" in out
    assert "POST /api/auth/register 201" in out


def test_healthz_answers_while_300_clients_hold_half_open_connections(serve):
    server = serve("--no-worker").wait()
    idle: list[socket.socket] = []
    try:
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finish
            idle.append(s)
        # The client's own timeout is the only bound: the server must answer, not time out.
        status, body = get_json(f"{server.url}/healthz", timeout=10)
        assert (status, body) == (200, {"status": "ok"})
    finally:
        for s in idle:
            s.close()
