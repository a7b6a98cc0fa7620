"""The calendar throughput benchmark at a small size: every prompt arrives once (figures are
printed for people; nothing here asserts a speed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from bench_calendar_sync import run_bench  # noqa: E402


@pytest.mark.bench
def test_calendar_sync_bench_delivers_every_prompt_once() -> None:
    figures = run_bench(8)
    print(json.dumps(figures))
    assert (figures["prompts_delivered"], figures["duplicates"]) == (8, 0)
    assert figures["floor_seconds"] > 0 and figures["seconds"] > 0
