"""Fixtures for calendar tests: a real feed server on 127.0.0.1 and the samples folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .feedserver import FeedServer

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started feed server, shut down after the test."""
    server = FeedServer().start()
    yield server
    server.close()


@pytest.fixture
def samples() -> Path:
    """The real-world samples folder, or skip when this checkout has none."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is not present in this checkout")
    return SAMPLES
