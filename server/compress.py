"""Front-end files served compressed: gzip computed once per file version, kept in memory.

Text files (HTML, JS, CSS, manifest) go out gzip-encoded to clients that accept it, with
`Vary: Accept-Encoding`, a strong ETag per encoding and 304 answers to `If-None-Match`. Each
file is read and compressed once per process and version (its size and mtime), so a request
costs a `stat`, not a read and a compression.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Request, Response

COMPRESSIBLE = (".html", ".js", ".css", ".webmanifest", ".json", ".svg")
MIMETYPES = {".js": "text/javascript", ".webmanifest": "application/manifest+json"}


@dataclass(frozen=True)
class Encoded:
    """One body in its identity and gzip forms, with their ETags."""

    raw: bytes
    gzipped: bytes | None
    etag: str

    @classmethod
    def of(cls, body: bytes, compressible: bool) -> Encoded:
        """Compress once (when it pays) and name the version by its content."""
        gzipped = gzip.compress(body, compresslevel=9, mtime=0) if compressible else None
        if gzipped is not None and len(gzipped) >= len(body):
            gzipped = None
        return cls(body, gzipped, hashlib.sha256(body).hexdigest()[:20])


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


def accepts_gzip(request: Request) -> bool:
    """True when the client listed gzip (or *) without q=0."""
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def respond(request: Request, encoded: Encoded, mimetype: str) -> Response:
    """A 200 with the best encoding the client takes, or a 304 when its copy is current."""
    use_gzip = encoded.gzipped is not None and accepts_gzip(request)
    etag = f"{encoded.etag}-gz" if use_gzip else encoded.etag
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(encoded.gzipped if use_gzip else encoded.raw, mimetype=mimetype)
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    if encoded.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = "no-cache"
    return response


def send_file(request: Request, path: Path) -> Response:
    """Serve one front-end file from disk, compressed when the client accepts it."""
    mimetype = MIMETYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    return respond(request, encoded_file(path), mimetype or "application/octet-stream")
