"""Front-end files go out brotli- or gzip-compressed, once computed, with per-encoding validators."""

from __future__ import annotations

import gzip

import brotli

from server.web import asset_root, shell_version, web_dir

CHROMIUM_HTTPS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
GZIP_ONLY = {"Accept-Encoding": "gzip, deflate"}


def test_a_module_is_sent_brotli_to_a_client_that_accepts_br(client):
    r = client.get("/app.js", headers=CHROMIUM_HTTPS)
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in r.headers["Vary"]
    assert brotli.decompress(r.data) == (web_dir() / "app.js").read_bytes()
    gzipped = client.get("/app.js", headers=GZIP_ONLY)
    assert int(r.headers["Content-Length"]) == len(r.data) < len(gzipped.data)


def test_gzip_to_a_client_that_accepts_only_gzip(client):
    for headers in (GZIP_ONLY, {"Accept-Encoding": "br;q=0, gzip"}, {"Accept-Encoding": "br;q=0.5, gzip"}):
        r = client.get("/app.js", headers=headers)
        assert r.headers["Content-Encoding"] == "gzip", headers
        assert "Accept-Encoding" in r.headers["Vary"]
        assert gzip.decompress(r.data) == (web_dir() / "app.js").read_bytes()
        assert int(r.headers["Content-Length"]) == len(r.data) < len(gzip.decompress(r.data))


def test_identity_for_a_client_that_accepts_neither(client):
    for headers in ({}, {"Accept-Encoding": "gzip;q=0, identity"}, {"Accept-Encoding": "deflate, zstd"},
                    {"Accept-Encoding": "*;q=0"}):
        r = client.get("/app.js", headers=headers)
        assert "Content-Encoding" not in r.headers, headers
        assert "Accept-Encoding" in r.headers["Vary"]
        assert r.data == (web_dir() / "app.js").read_bytes()


def test_each_encoding_has_its_own_etag_and_revalidates(client):
    answers = {name: client.get("/styles/base.css", headers=headers)
               for name, headers in (("br", CHROMIUM_HTTPS), ("gzip", GZIP_ONLY), ("identity", {}))}
    assert len({r.headers["ETag"] for r in answers.values()}) == 3
    for name, headers in (("br", CHROMIUM_HTTPS), ("gzip", GZIP_ONLY), ("identity", {})):
        etag = answers[name].headers["ETag"]
        again = client.get("/styles/base.css", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", name
        assert again.headers["ETag"] == etag
    # A copy in another encoding is not current for this client: it gets the body again.
    stale = client.get("/styles/base.css", headers={**CHROMIUM_HTTPS, "If-None-Match": answers["gzip"].headers["ETag"]})
    assert stale.status_code == 200 and stale.headers["Content-Encoding"] == "br"


def test_shell_and_service_worker_are_compressed(client):
    for path in ("/", "/people", "/service-worker.js"):
        r = client.get(path, headers=CHROMIUM_HTTPS)
        assert r.headers["Content-Encoding"] == "br", path
        assert r.headers["Cache-Control"] == "no-cache"
    sw = brotli.decompress(client.get("/service-worker.js", headers=CHROMIUM_HTTPS).data).decode()
    assert f"const VERSION = '{shell_version()}';" in sw
    assert gzip.decompress(client.get("/service-worker.js", headers=GZIP_ONLY).data).decode() == sw


def test_icons_are_not_recompressed(client):
    icon = next(p for p in (web_dir() / "icons").rglob("*.png"))
    r = client.get("/" + icon.relative_to(web_dir()).as_posix(), headers=CHROMIUM_HTTPS)
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
