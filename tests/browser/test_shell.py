"""The shell as the server hands it out: every screen path, security headers, and a service
worker whose cache version follows the files it caches."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import REPO_ROOT

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


def test_service_worker_caches_every_shell_file() -> None:
    listed = set(re.findall(r"'(/[^']*)'", SW.split("const SHELL_FILES = [")[1].split("];")[0]))
    on_disk = {
        "/" + p.relative_to(REPO_ROOT / "web").as_posix()
        for p in (REPO_ROOT / "web").rglob("*")
        if p.is_file() and p.suffix in {".js", ".css", ".png", ".webmanifest"}
    }
    assert on_disk <= listed, f"not cached by the service worker: {sorted(on_disk - listed)}"


def test_only_front_end_files_are_served(client: Any) -> None:
    assert client.get("/icons/make_icons.py").status_code == 404
    assert client.get("/manifest.webmanifest").mimetype == "application/manifest+json"


def test_app_code_never_writes_html_strings() -> None:
    sources = [*(REPO_ROOT / "web").rglob("*.js"), REPO_ROOT / "service-worker.js"]
    for path in sources:
        text = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            assert f".{sink}" not in text, f"{path.name} uses {sink}"
