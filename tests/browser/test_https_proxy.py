"""On a phone over HTTPS: the repository's Caddyfile (`tls internal`) in front of `rapport serve`,
driven by Chromium that trusts Caddy's own certificate authority."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, PHONE
from tests.conftest import PASSWORD, REPO_ROOT
from tests.deploy.conftest import Serve, clean_env, free_port

CADDY = os.environ.get("RAPPORT_CADDY", "/usr/bin/caddy")
SITE = "rapport.test"


def spki_hash(pem_path: Path) -> str:
    """Chromium's form of a certificate's public key pin: base64 SHA-256 of the SPKI."""
    cert = x509.load_pem_x509_certificate(pem_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


class Caddy:
    """Debian's caddy with the repository's Caddyfile.internal imported, on loopback ports."""

    def __init__(self, tmp: Path, upstream: str, port: int) -> None:
        if not shutil.which(CADDY):
            pytest.skip(f"caddy not found at {CADDY}; install Debian's caddy to run the HTTPS test")
        self.port = port
        self.origin = f"https://{SITE}:{self.port}"
        self.data = tmp / "caddy-data"
        config = tmp / "Caddyfile"
        config.write_text(
            "{\n"
            "\tadmin off\n"
            f"\thttp_port {free_port()}\n"
            f"\thttps_port {self.port}\n"
            "\tskip_install_trust\n"
            f"\tstorage file_system {self.data}\n"
            "}\n"
            f"import {REPO_ROOT / 'deploy' / 'Caddyfile.internal'}\n"
        )
        env = {**os.environ, "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "xdg-data"),
               "XDG_CONFIG_HOME": str(tmp / "xdg-config"), "RAPPORT_SITE": self.origin,
               "RAPPORT_UPSTREAM": upstream}
        self.log = tmp / "caddy.log"
        self.proc = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )

    def root_and_intermediate(self, deadline: float = 60.0) -> list[Path]:
        """Caddy's local CA certificates, once it has created them and issued the site's."""
        authority = self.data / "pki" / "authorities" / "local"
        certs = self.data / "certificates"
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail("caddy exited:\n" + self.log.read_text())
            issued = list(certs.rglob(f"{SITE}.crt")) if certs.exists() else []
            if issued and (authority / "root.crt").exists():
                return [authority / "root.crt", authority / "intermediate.crt"]
            time.sleep(0.1)
        pytest.fail("caddy issued no certificate:\n" + self.log.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[Serve, Caddy]]:
    """`rapport serve` configured for its https:// address, one proxy hop (Caddy) in front."""
    port = free_port()
    env = clean_env(
        tmp_path / "data", RAPPORT_BASE_URL=f"https://{SITE}:{port}", RAPPORT_TRUSTED_PROXIES="1"
    )
    app = Serve(env, "--no-worker").wait()
    caddy = Caddy(tmp_path, f"127.0.0.1:{app.port}", port)
    try:
        yield app, caddy
    finally:
        caddy.stop()
        app.stop()


def test_the_app_over_caddy_https_is_a_secure_installable_context(proxied, playwright_instance: Any, console):
    app, caddy = proxied
    pins = ",".join(spki_hash(p) for p in caddy.root_and_intermediate())
    # The phone reaches the proxy over IPv6 loopback; Caddy reaches Rapport over IPv4, so the
    # address Rapport logs shows whether it read the client address through the proxy.
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*LAUNCH_ARGS, f"--ignore-certificate-errors-spki-list={pins}",
              f"--host-resolver-rules=MAP {SITE} [::1]"],
    )
    try:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="allow")
        context.set_default_timeout(20_000)
        context.on("page", console.attach)
        page = context.new_page()
        answers: dict[str, Any] = {}
        page.on("response", lambda r: answers.setdefault(urlsplit(r.url).path, r))
        response = page.goto(f"{caddy.origin}/welcome")
        assert response.status == 200
        # Over HTTPS Chromium takes brotli: Rapport's br body reaches it through Caddy untouched.
        script = answers["/app.js"]
        assert "br" in script.request.all_headers()["accept-encoding"]
        assert script.all_headers()["content-encoding"] == "br"
        assert script.body() == (REPO_ROOT / "web" / "app.js").read_bytes()
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert page.evaluate("() => window.isSecureContext") is True
        assert page.evaluate("() => typeof crypto.randomUUID") == "function"

        page.get_by_label("Your name").fill("Maya Patel")
        page.get_by_label("E-mail").fill("maya@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.get_by_role("heading", name="Today").wait_for()

        page.evaluate("() => navigator.serviceWorker.ready")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == (
            f"{caddy.origin}/service-worker.js"
        )

        cookies = {c["name"]: c for c in context.cookies(caddy.origin)}
        assert "__Host-session" in cookies, cookies
        session = cookies["__Host-session"]
        assert session["secure"] and session["httpOnly"] and session["path"] == "/"
        assert session["domain"] == SITE  # host-only: __Host- forbids a Domain attribute
        context.close()
    finally:
        browser.close()
    log = app.stop()
    browser_lines = [line for line in log.splitlines() if re.search(r"server\.access: \S+ POST /api/auth/register", line)]
    assert browser_lines, log
    assert all(" ::1 POST" in line for line in browser_lines), browser_lines
