"""The planning benchmark at a small size: it runs, and plans exactly the changed users."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bench_planning  # noqa: E402


@pytest.mark.bench
def test_a_pass_over_many_users_plans_only_those_that_changed(capsys):
    figures = bench_planning.main(["--users", "300", "--changed", "10"])
    large, floor = figures["large"], figures["floor"]
    assert large["idle_pass"]["users_planned"] == 0
    assert large["pass"]["users_planned"] == 10
    assert floor["pass"]["users_planned"] == 10
    assert '"benchmark": "planning_pass"' in capsys.readouterr().out
