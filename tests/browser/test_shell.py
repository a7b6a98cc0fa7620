"""The shell as the server hands it out: every screen path, security headers, and a service
worker whose cache version follows the files it caches."""

from __future__ import annotations

import re
import sys
from typing import Any

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
from bench_shell_size import BUDGET, measure  # noqa: E402

SW = (REPO_ROOT / "service-worker.js").read_text()


def test_every_screen_path_serves_the_shell_with_a_strict_csp(client: Any) -> None:
    for path in [
        "/",
        "/people",
        "/people/new",
        "/people/7",
        "/people/7/edit",
        "/log",
        "/habits",
        "/settings",
        "/login",
        "/welcome",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'<script type="module" src="/app.js">' in response.data
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_service_worker_version_is_a_hash_of_the_shell(client: Any) -> None:
    response = client.get("/service-worker.js")
    assert response.headers["Cache-Control"] == "no-cache"
    version = re.search(r"const VERSION = '([0-9a-f]{16})';", response.get_data(as_text=True))
    assert version, "the server fills in the shell version"
    again = client.get("/service-worker.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def sw_list(name: str) -> list[str]:
    return re.findall(r"'(/[^']*)'", SW.split(f"const {name} = [")[1].split("];")[0])


PRECACHED = set(sw_list("SHELL_FILES"))
ON_DEMAND = set(sw_list("ON_DEMAND_FILES"))
# What only works online: never in the precache, so installing the shell costs less.
ONLINE_ONLY = {
    "/views/onboarding.js",
    "/views/reset.js",
    "/views/settings-account.js",
    "/views/settings-calendars.js",
    "/views/settings-data.js",
    "/views/settings-invites.js",
}
STATIC_IMPORT = re.compile(r"^import (?:[^'\"]* from )?'([^']+)';", re.MULTILINE)


def test_service_worker_caches_every_shell_file_precached_or_once_used() -> None:
    on_disk = {
        "/" + p.relative_to(REPO_ROOT / "web").as_posix()
        for p in (REPO_ROOT / "web").rglob("*")
        if p.is_file() and p.suffix in {".js", ".css", ".png", ".webmanifest"}
    }
    assert on_disk <= PRECACHED | ON_DEMAND, f"not cached by the service worker: {sorted(on_disk - PRECACHED - ON_DEMAND)}"
    assert not PRECACHED & ON_DEMAND
    assert ONLINE_ONLY <= ON_DEMAND, f"online-only modules precached: {sorted(ONLINE_ONLY & PRECACHED)}"


def test_the_precached_shell_opens_without_any_online_only_module() -> None:
    """Every module the precached ones import statically is precached too: offline, nothing is missing."""
    for url in sorted(u for u in PRECACHED if u.endswith(".js")):
        path = REPO_ROOT / "web" / url.lstrip("/")
        for spec in STATIC_IMPORT.findall(path.read_text()):
            target = "/" + (path.parent / spec).resolve().relative_to(REPO_ROOT / "web").as_posix()
            assert target in PRECACHED, f"{url} imports {target}, which is not precached"


def test_only_front_end_files_are_served(client: Any) -> None:
    assert client.get("/icons/make_icons.py").status_code == 404
    assert client.get("/manifest.webmanifest").mimetype == "application/manifest+json"


def test_app_code_never_writes_html_strings() -> None:
    sources = [*(REPO_ROOT / "web").rglob("*.js"), REPO_ROOT / "service-worker.js"]
    for path in sources:
        text = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            assert f".{sink}" not in text, f"{path.name} uses {sink}"


def test_the_shell_a_phone_downloads_stays_within_60_kb(client: Any) -> None:
    """What the service worker precaches, as Chromium receives it over HTTPS (brotli): the budget."""
    figures = measure(client)
    assert {f["encoding"] for f in figures["files"]} == {"br"}
    assert figures["transferred_bytes"] <= BUDGET == 60 * 1024, figures["transferred_bytes"]
    assert not ONLINE_ONLY & {f["url"] for f in figures["files"]}
