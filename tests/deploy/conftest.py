"""Deployment fixtures: `rapport serve` and `rapport worker` as real processes on free ports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import PASSWORD, REPO_ROOT


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh install: no RAPPORT_* from the test run, own data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env["RAPPORT_DATA_DIR"] = str(data_dir)
    env["RAPPORT_REGISTRATION"] = "open"
    env.update(extra)
    return env


def get_json(url: str, timeout: float = 5.0) -> tuple[int, Any]:
    """GET a URL; the status and decoded JSON body (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_until_up(url: str, proc: subprocess.Popen[str], deadline: float = 60.0) -> None:
    """Poll /healthz until it answers, failing early when the process exits."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"process exited with {proc.returncode}:\n{out}")
        try:
            if get_json(f"{url}/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} never answered")


class Serve:
    """One `rapport serve` process; `stop()` ends it with SIGINT and returns its output."""

    def __init__(self, env: dict[str, str], *args: str, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        cmd = [sys.executable, "-m", "server.cli", "serve", "--host", host, "--port", str(self.port), *args]
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.output = ""

    def wait(self) -> Serve:
        wait_until_up(self.url, self.proc)
        return self

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.output += out or ""
        return self.output


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `rapport serve` processes; every one is stopped after the test."""
    started: list[Serve] = []

    def start(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> Serve:
        process = Serve(env or clean_env(tmp_path / "data"), *args, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def signed_in_session(base: str, email: str = "maya@example.com") -> requests.Session:
    """Register a user over HTTP and return a session that sends the CSRF header."""
    session = requests.Session()
    token = session.get(f"{base}/api/auth/csrf", timeout=10).json()["csrf_token"]
    session.headers["X-CSRFToken"] = token
    response = session.post(
        f"{base}/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Maya"}, timeout=30
    )
    assert response.status_code == 201, response.text
    session.headers["X-CSRFToken"] = session.get(f"{base}/api/auth/csrf", timeout=10).json()["csrf_token"]
    return session


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[Any]:
    """Make empty databases of the kind under test: SQLite files, or new PostgreSQL databases
    beside RAPPORT_TEST_DATABASE_URL (dropped afterwards)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    made: list[str] = []

    def make(name: str) -> str:
        if not base:
            return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        database = f"{make_url(base).database}_{name}_{os.getpid()}"
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        engine.dispose()
        made.append(database)
        return make_url(base).set(database=database).render_as_string(hide_password=False)

    yield make
    if made:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for database in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        engine.dispose()
