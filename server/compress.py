"""Front-end files served compressed: brotli and gzip computed once per file version, kept in memory.

Text files (HTML, JS, CSS, manifest) go out brotli-encoded to clients that accept `br` (browsers
do over HTTPS), gzip-encoded to those that accept only gzip, as they are otherwise; always with
`Vary: Accept-Encoding`, a strong ETag per encoding and 304 answers to `If-None-Match`. Each file
is read and compressed once per process and version (its size and mtime), so a request costs a
`stat`, not a read and a compression.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Request, Response

COMPRESSIBLE = (".html", ".js", ".css", ".webmanifest", ".json", ".svg")
MIMETYPES = {".js": "text/javascript", ".webmanifest": "application/manifest+json"}
# The encodings we keep, best first: what a tie between equally acceptable ones settles on.
PREFERRED = ("br", "gzip")


@dataclass(frozen=True)
class Encoded:
    """One body in its identity form and the compressed forms that make it smaller, with its ETag."""

    raw: bytes
    compressed: dict[str, bytes]
    etag: str

    @classmethod
    def of(cls, body: bytes, compressible: bool) -> Encoded:
        """Compress once (where it pays) and name the version by its content."""
        forms = {
            "br": lambda: brotli.compress(body, quality=11),
            "gzip": lambda: gzip.compress(body, compresslevel=9, mtime=0),
        } if compressible else {}
        compressed = {name: data for name, make in forms.items() if len(data := make()) < len(body)}
        return cls(body, compressed, hashlib.sha256(body).hexdigest()[:20])


_lock = threading.Lock()
_files: dict[Path, tuple[tuple[int, int], Encoded]] = {}


def encoded_file(path: Path) -> Encoded:
    """The file's bodies, recomputed only when its size or mtime changed."""
    stat = path.stat()
    version = (stat.st_size, stat.st_mtime_ns)
    with _lock:
        cached = _files.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    encoded = Encoded.of(path.read_bytes(), path.suffix in COMPRESSIBLE)
    with _lock:
        _files[path] = (version, encoded)
    return encoded


def accepted(request: Request) -> dict[str, float]:
    """The client's Accept-Encoding as {coding: q}; a q that does not parse counts as 0."""
    weights = {}
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if not name.strip():
            continue
        q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
        try:
            weights[name.strip().lower()] = float(q)
        except ValueError:
            weights[name.strip().lower()] = 0.0
    return weights


def choose(request: Request, encoded: Encoded) -> str | None:
    """The kept encoding the client weighs highest (`*` stands for those it did not name), if any."""
    weights = accepted(request)
    best, best_q = None, 0.0
    for name in PREFERRED:
        q = weights.get(name, weights.get("*", 0.0))
        if name in encoded.compressed and q > best_q:
            best, best_q = name, q
    return best


def respond(request: Request, encoded: Encoded, mimetype: str) -> Response:
    """A 200 with the best encoding the client takes, or a 304 when its copy is current."""
    encoding = choose(request, encoded)
    etag = f"{encoded.etag}-{encoding}" if encoding else encoded.etag
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(encoded.compressed[encoding] if encoding else encoded.raw, mimetype=mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.set_etag(etag)
    if encoded.compressed:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = "no-cache"
    return response


def send_file(request: Request, path: Path) -> Response:
    """Serve one front-end file from disk, compressed when the client accepts it."""
    mimetype = MIMETYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return respond(request, encoded_file(path), mimetype or "application/octet-stream")
