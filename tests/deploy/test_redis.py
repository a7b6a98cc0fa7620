"""Several web processes share rate-limit counts through Redis (the [redis] extra): two real
`rapport serve` processes count one account's login attempts together."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.deploy.conftest import clean_env

# A Redis database the test may clear of rate-limit keys.
REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def redis_db() -> Iterator[str]:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set RAPPORT_TEST_REDIS_URL)")

    def clear() -> None:
        # The limits library may put its own prefix ("LIMITS:") before Flask-Limiter's keys.
        for key in connection.scan_iter("*LIMITER/*"):
            connection.delete(key)

    clear()
    yield REDIS_URL
    clear()
    connection.close()


def test_two_web_processes_count_login_attempts_together(serve, redis_db, tmp_path: Path):
    env = clean_env(tmp_path / "data", RAPPORT_RATELIMIT_STORAGE_URI=redis_db)
    first = serve("--no-worker", env=env).wait()
    second = serve("--no-worker", env=env).wait()

    browsers = {}
    for node in (first, second):
        browser = requests.Session()
        browser.headers["X-CSRFToken"] = browser.get(f"{node.url}/api/auth/csrf", timeout=10).json()["csrf_token"]
        browsers[node.url] = browser

    def attempt(node) -> int:
        body = {"email": "maya@example.com", "password": "not the password"}
        return browsers[node.url].post(f"{node.url}/api/auth/login", json=body, timeout=30).status_code

    # The account limit is 10 per 5 minutes: 5 attempts on each node use it up together.
    statuses = [attempt(node) for _ in range(5) for node in (first, second)]
    assert statuses == [401] * 10
    assert attempt(first) == 429
    assert attempt(second) == 429
