"""Processes as a service manager sees them: a dead worker comes back, several nodes start on
one empty PostgreSQL database at once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from server.keys import load_or_create_vapid_key
from tests.deploy.conftest import Serve, clean_env, get_json, wait_until_up


def children(pid: int) -> set[int]:
    """Direct child processes of `pid` (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def worker_child(pid: int, other_than: int | None = None, deadline: float = 30.0) -> int:
    """The `rapport worker` child of a serve process (a new one, when `other_than` is given)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for child in children(pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if b"worker" in cmdline and child != other_than:
                return child
        time.sleep(0.1)
    pytest.fail("no worker child appeared")


def wait_for_ready_worker(url: str, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        status, body = get_json(f"{url}/readyz")
        if status == 200 and body["checks"]["worker"] == "ok":
            return
        time.sleep(0.2)
    pytest.fail("the worker never reported in")


@pytest.mark.skipif(bool(os.environ.get("RAPPORT_TEST_DATABASE_URL")), reason="exercises the SQLite default")
def test_serve_restarts_a_worker_that_died(serve):
    server = serve().wait()
    first = worker_child(server.proc.pid)
    wait_for_ready_worker(server.url)
    os.kill(first, signal.SIGKILL)
    second = worker_child(server.proc.pid, other_than=first)
    assert second != first
    wait_for_ready_worker(server.url)
    out = server.stop()
    assert f"worker (pid {first}) exited with -9; restarting" in out
    assert f"worker restarted (pid {second})" in out
    assert not Path(f"/proc/{second}").exists() or Path(f"/proc/{second}/stat").read_text().split()[2] == "Z"


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("RAPPORT_TEST_DATABASE_URL"), reason="needs PostgreSQL (RAPPORT_TEST_DATABASE_URL)")
def test_two_nodes_starting_at_once_on_an_empty_postgres_both_come_up(scratch_database, tmp_path: Path):
    url = scratch_database("nodes")
    # Every node shares the secret and VAPID keys, as the scale-out section says.
    (tmp_path / "keys").mkdir(mode=0o700)
    shared = {
        "RAPPORT_DATABASE_URL": url,
        "RAPPORT_SECRET_KEY": "a secret every node shares, long enough",
        "RAPPORT_VAPID_PRIVATE_KEY": load_or_create_vapid_key(tmp_path / "keys"),
    }
    nodes = [Serve(clean_env(tmp_path / f"node{i}", **shared), "--no-worker") for i in (1, 2)]
    try:
        for node in nodes:
            wait_until_up(node.url, node.proc)
    finally:
        outputs = [node.stop() for node in nodes]
    for node, out in zip(nodes, outputs, strict=True):
        assert node.proc.returncode == 0, out
        assert "UniqueViolation" not in out and "Traceback" not in out, out
