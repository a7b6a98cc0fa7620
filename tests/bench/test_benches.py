"""Every benchmark runs at its tiny size and its figures say the work was done right.

Only outcomes are asserted (every prompt delivered once, no request failed, the files were
measured); the times they print are figures for the README, never assertions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.bench


def _bench(name: str, **env: str) -> dict:
    done = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "run"), "--tiny", "--only", name],
                          capture_output=True, text=True, timeout=900, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)[name]


def _pg() -> str:
    # A database of its own: the benchmark empties it (the test database stays migrated).
    url = os.environ.get("RAPPORT_BENCH_DATABASE_URL")
    if not url:
        pytest.skip("needs RAPPORT_BENCH_DATABASE_URL (a PostgreSQL database it may empty)")
    return url


def _delivered_once(d: dict) -> None:
    assert d["planned"] == d["sent"] == d["accepted"] == d["devices_reached"] == d["users"]
    assert d["max_copies_per_device"] == 1 and d["not_sent"] == 0
    assert d["webpush_floor_per_s"] > 0 and d["send_only_cpu_ms_per_push"] > 0


@pytest.mark.parametrize("name", ["delivery_sqlite_1", "delivery_sqlite_3"])
def test_delivery_bench_delivers_every_prompt_once(name):
    _delivered_once(_bench(name))


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["delivery_pg_1", "delivery_pg_3"])
def test_delivery_bench_on_postgresql(name):
    _delivered_once(_bench(name, RAPPORT_BENCH_DATABASE_URL=_pg()))


def test_api_bench_through_the_real_server_has_no_errors():
    a = _bench("api_sqlite")
    assert a["mixed_load"]["requests"] > 0 and a["mixed_load"]["errors"] == 0
    assert a["hello_floor_load"]["errors"] == 0
    assert a["memory"]["serve_idle_mb"] > a["memory"]["hello_idle_mb"] > 0
    assert {"GET /api/today", "PUT /api/interactions/<uuid>"} <= set(a["single_client"])
    assert a["app_floor_load"]["requests"] > 0 and a["app_floor_load"]["errors"] == 0
    # After the warm-up every Today and Habits answer comes from the cache; a new argument
    # each time never does.
    single = a["single_client"]
    assert single["GET /api/today"]["cache_hit_rate"] == single["GET /api/habits"]["cache_hit_rate"] == 1.0
    assert single["GET /api/today (rebuilt)"]["cache_hit_rate"] == 0.0


def test_prompt_latency_bench_delivers_every_prompt_once():
    p = _bench("prompt_latency")
    assert p["delivered"] == p["meetings"] == p["users"] and p["duplicates"] == 0


@pytest.mark.browser
def test_frontend_bench_measures_in_chromium():
    f = _bench("frontend")
    assert f["offline_fcp_ms"] and f["people_render_ms"] > 0 and f["filter_frames"] > 0
    assert f["scrolled_rows"] >= 60


def test_shell_size_bench_measures_what_is_served():
    s = _bench("shell_size")
    assert 0 < s["transferred_bytes"] < s["gzip_only_bytes"] < s["raw_bytes"]
    assert {f["encoding"] for f in s["files"]} == {"br"}
    assert s["within_budget"] and s["on_demand"]


def test_import_bench_imports_every_card():
    i = _bench("import")
    assert i["created"] == i["cards"] == 50 and i["reimport_skipped"] == 50


@pytest.mark.postgres
def test_cluster_bench_two_web_three_workers_deliver_every_prompt_once():
    c = _bench("cluster_pg", RAPPORT_BENCH_DATABASE_URL=_pg())
    assert c["prompts"]["delivered"] == c["prompts"]["planned"] == c["users"]
    assert c["prompts"]["max_copies_per_device"] == 1
    assert c["api"]["errors"] == 0 and c["api"]["requests_per_s"] > 0
    assert c["next_bottleneck"] in c["cpu_share_of_machine"]


def test_memory_bench_reads_serve_and_worker_after_a_sign_up():
    m = _bench("memory_sqlite")["memory"]
    assert min(m["serve_started_mb"], m["serve_idle_mb"]) > m["hello_idle_mb"] > 0
    assert m["worker_idle_mb"] > m["hello_idle_mb"]
