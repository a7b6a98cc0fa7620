"""Draw the app icons (two overlapping rings on indigo) as PNGs with only the standard library.

Run from this folder: python make_icons.py
"""

from __future__ import annotations

import struct
import zlib

TOP = (76, 110, 245)  # gradient from top-left ...
BOTTOM = (54, 79, 199)  # ... to bottom-right
WHITE = (255, 255, 255)
WARM = (255, 212, 59)


def png(path: str, size: int, pixels: list[bytes]) -> None:
    """Write RGBA rows as a PNG file."""
    raw = b"".join(b"\x00" + row for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                 + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def ring(x: float, y: float, cx: float, cy: float, r: float, w: float) -> bool:
    d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
    return abs(d - r) <= w / 2


def draw(size: int, glyph_scale: float, corner: float) -> list[bytes]:
    """One icon: background square with rounded corners (corner=0 for full bleed), rings inside."""
    rows = []
    sub = 3
    r = 0.17 * glyph_scale
    w = 0.075 * glyph_scale
    left = (0.5 - 0.1 * glyph_scale, 0.5)
    right = (0.5 + 0.1 * glyph_scale, 0.5)
    for py in range(size):
        row = bytearray()
        for px in range(size):
            cover_bg = cover_white = cover_warm = 0
            for sy in range(sub):
                for sx in range(sub):
                    x = (px + (sx + 0.5) / sub) / size
                    y = (py + (sy + 0.5) / sub) / size
                    if corner:
                        qx = min(x, 1 - x)
                        qy = min(y, 1 - y)
                        outside = (corner - qx) ** 2 + (corner - qy) ** 2 > corner**2
                        if qx < corner and qy < corner and outside:
                            continue
                    cover_bg += 1
                    if ring(x, y, *right, r, w):
                        cover_warm += 1
                    elif ring(x, y, *left, r, w):
                        cover_white += 1
            n = sub * sub
            t = (px + py) / (2 * size)
            bg = tuple(round(TOP[i] * (1 - t) + BOTTOM[i] * t) for i in range(3))
            if cover_bg == 0:
                row += bytes((0, 0, 0, 0))
                continue
            fw, fm = cover_white / cover_bg, cover_warm / cover_bg
            color = tuple(round(bg[i] * (1 - fw - fm) + WHITE[i] * fw + WARM[i] * fm) for i in range(3))
            row += bytes((*color, round(255 * cover_bg / n)))
        rows.append(bytes(row))
    return rows


if __name__ == "__main__":
    png("icon-192.png", 192, draw(192, 1.0, 0.18))
    png("icon-512.png", 512, draw(512, 1.0, 0.18))
    png("maskable-512.png", 512, draw(512, 0.8, 0))
    png("apple-touch-icon.png", 180, draw(180, 0.9, 0))
