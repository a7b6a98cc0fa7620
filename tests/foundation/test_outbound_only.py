"""Every outbound request goes through the one guarded session in server/outbound/."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
GUARDED = SERVER / "outbound"
HTTP_MODULES = {"urllib.request", "http.client", "httpx", "urllib3", "aiohttp", "socket", "ftplib"}
# What other modules may take from requests: exceptions and types, never a way to send.
REQUESTS_NAMES = {"RequestException", "Timeout", "ConnectionError", "TooManyRedirects",
                  "HTTPError", "Response", "exceptions", "Session"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in HTTP_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in HTTP_MODULES:
                found.append(f"from {node.module} import ...")
            if node.module.startswith("requests"):
                found += [f"from {node.module} import {a.name}" for a in node.names
                          if a.name not in REQUESTS_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "requests" and node.attr not in REQUESTS_NAMES:
                found.append(f"requests.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "webpush":
            if "requests_session" not in {k.arg for k in node.keywords}:
                found.append("webpush() without requests_session")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "requests"
              and node.func.attr == "Session"):
            found.append("requests.Session()")  # only the guarded module builds sessions
    return found


def test_no_module_sends_http_except_through_the_guarded_session():
    problems = {
        str(path.relative_to(SERVER)): v
        for path in SERVER.rglob("*.py")
        if GUARDED not in path.parents and "migrations" not in path.parts and (v := _violations(path))
    }
    assert problems == {}


def test_the_scan_would_catch_a_direct_request(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import requests\nimport urllib.request\nrequests.get('https://x')\n"
                   "from pywebpush import webpush\nwebpush({}, 'x')\n")
    assert set(_violations(bad)) == {"import urllib.request", "requests.get",
                                     "webpush() without requests_session"}
