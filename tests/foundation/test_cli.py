"""The `rapport` command as a newcomer runs it: serve creates data and keys, Ctrl-C stops it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, deadline: float = 30.0) -> dict:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback
                return json.loads(r.read())
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def test_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "migrate", "status", "invite", "reset-password", "backup", "restore"):
        assert command in result.output


@pytest.mark.skipif(bool(os.environ.get("RAPPORT_TEST_DATABASE_URL")), reason="exercises the SQLite default")
def test_serve_first_run_creates_database_and_keys_then_stops_cleanly(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env["RAPPORT_DATA_DIR"] = str(tmp_path / "instance")
    cmd = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]

    def run_once() -> tuple[str, str]:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert wait_for(f"http://127.0.0.1:{port}/healthz") == {"status": "ok"}
            # The worker child beats within its first pass.
            end = time.monotonic() + 30
            while time.monotonic() < end:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:  # noqa: S310
                        if json.loads(r.read())["checks"]["worker"] == "ok":
                            break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                pytest.fail("worker never reported in")
            secret = (tmp_path / "instance" / "secret_key").read_text()
            vapid = (tmp_path / "instance" / "vapid_private.pem").read_text()
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        return secret + vapid, out

    keys_first, out = run_once()
    assert f"http://127.0.0.1:{port}" in out
    assert "instance" in out and "rapport.sqlite3" in out
    assert "Rapport stopped." in out
    assert (tmp_path / "instance" / "rapport.sqlite3").exists()
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"
    keys_second, _ = run_once()
    assert keys_first == keys_second
