"""The front end's pure modules, tested with Node's own test runner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("suite", sorted(p.name for p in HERE.glob("*.test.mjs")))
def test_front_end_module(suite: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed; the front end's unit tests need it")
    result = subprocess.run(  # noqa: S603 - a fixed program on a file of this repository
        [node, "--test", str(HERE / suite)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
