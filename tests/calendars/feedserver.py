"""A real HTTP server on 127.0.0.1 serving calendar feeds and misbehaving on purpose."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class FeedServer:
    """Threaded server; routes are set by tests, requests are recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stop_event = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = owner.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.handler is not None:
                    route.handler(self)
                    return
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                if route.etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                if route.etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """Absolute http URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        """Paths requested so far."""
        return [path for path, _ in self.requests]

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def drip(stop: threading.Event, interval: float = 0.2) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler that promises a big body and sends it one byte at a time, forever."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.close_connection = True  # when stopped, the client sees the body cut short
        request.send_response(200)
        request.send_header("Content-Length", "1000000")
        request.end_headers()
        try:
            while not stop.is_set():
                request.wfile.write(b"B")
                request.wfile.flush()
                stop.wait(interval)
        except OSError:
            pass

    return handler


def drip_headers(stop: threading.Event, interval: float = 0.2) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler that never finishes its headers."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        try:
            request.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                request.wfile.write(b"X-A: b\r\n")
                request.wfile.flush()
                stop.wait(interval)
        except OSError:
            pass

    return handler


def gzip_bomb(decoded_size: int) -> bytes:
    """A small gzip body that inflates to `decoded_size` bytes."""
    block = b"\0" * (1024 * 1024)
    out = gzip.compress(block * (decoded_size // len(block)), compresslevel=9)
    return out


def chunked_body(body: bytes, chunk: int = 8192) -> Callable[[BaseHTTPRequestHandler], None]:
    """A handler that sends the body with chunked transfer encoding and no length."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        try:
            for start in range(0, len(body), chunk):
                piece = body[start : start + chunk]
                request.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            request.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    return handler


def redirect(location: str, status: int = 302) -> Route:
    """A route that redirects."""
    return Route(status=status, headers={"Location": location}, etag=False)


