"""A fast push service for benchmarks: answers 201 to every POST and counts copies per device.

Runs in its own process (`python bench/push_acceptor.py PORTFILE`), writes its port to
PORTFILE, and answers `GET /stats` with `{"total", "devices", "max_copies"}`. It does not
decrypt (tests/push_service.py does that); it only has to be faster than the sender.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter

copies: Counter[str] = Counter()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one keep-alive connection."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if method == "GET" and path == "/stats":
                body = json.dumps({"total": sum(copies.values()), "devices": len(copies),
                                   "max_copies": max(copies.values(), default=0)}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                copies[path.rsplit("/", 1)[-1]] += 1
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(port_file: str) -> None:
    """Listen on a free loopback port until killed."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    with open(port_file, "w") as fh:
        fh.write(str(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
