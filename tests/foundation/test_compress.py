"""Front-end files go out gzip-compressed, once computed, with per-encoding validators."""

from __future__ import annotations

import gzip

from server.web import asset_root, shell_version, web_dir

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_module_is_sent_gzipped_to_a_client_that_accepts_it(client):
    r = client.get("/app.js", headers=GZIP)
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert gzip.decompress(r.data) == (web_dir() / "app.js").read_bytes()
    assert int(r.headers["Content-Length"]) == len(r.data) < len(gzip.decompress(r.data))


def test_identity_for_a_client_that_does_not_accept_gzip(client):
    for headers in ({}, {"Accept-Encoding": "gzip;q=0, identity"}):
        r = client.get("/app.js", headers=headers)
        assert "Content-Encoding" not in r.headers
        assert r.data == (web_dir() / "app.js").read_bytes()


def test_each_encoding_has_its_own_etag_and_revalidates(client):
    zipped = client.get("/styles/base.css", headers=GZIP)
    plain = client.get("/styles/base.css")
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    again = client.get("/styles/base.css", headers={**GZIP, "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    stale = client.get("/styles/base.css", headers={**GZIP, "If-None-Match": plain.headers["ETag"]})
    assert stale.status_code == 200


def test_shell_and_service_worker_are_compressed(client):
    for path in ("/", "/people", "/service-worker.js"):
        r = client.get(path, headers=GZIP)
        assert r.headers["Content-Encoding"] == "gzip", path
        assert r.headers["Cache-Control"] == "no-cache"
    sw = gzip.decompress(client.get("/service-worker.js", headers=GZIP).data).decode()
    assert f"const VERSION = '{shell_version()}';" in sw


def test_icons_are_not_recompressed(client):
    icon = next(p for p in (web_dir() / "icons").rglob("*.png"))
    r = client.get("/" + icon.relative_to(web_dir()).as_posix(), headers=GZIP)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert r.data == icon.read_bytes()


def test_paths_outside_the_web_folder_are_not_served(client):
    for path in ("/../pyproject.toml", "/%2e%2e/server/config.js", "/styles/../../README.md.js"):
        assert client.get(path).status_code == 404, path


def test_the_shell_version_is_hashed_once_per_process(client):
    client.get("/service-worker.js")
    before = shell_version.cache_info()
    for _ in range(3):
        assert client.get("/service-worker.js").status_code == 200
    after = shell_version.cache_info()
    assert after.misses == before.misses == 1
    assert (asset_root() / "service-worker.js").is_file()
