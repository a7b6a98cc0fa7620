"""Contact photos from vCards: base64 (vCard 3) or a data: URI (vCard 4), checked and resized
to a small JPEG with Pillow. A photo that cannot be read is dropped with a note; it never
fails its card. Remote URIs are not fetched."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

PHOTO_SIDE = 256  # pixels: enough for an avatar on a 3x phone screen
PHOTO_MAX_BYTES = 4 * 1024 * 1024  # of base64 text in the card
PHOTO_MAX_PIXELS = 40_000_000  # decoded size; larger is a decompression bomb, not a face
JPEG_QUALITY = 85


class PhotoProblem(ValueError):
    """Why a card's photo was not kept, in plain words for the import report."""


def decode_photo(value: bytes, encoding: str | None, value_type: str | None) -> bytes:
    """The image bytes of a PHOTO value; raises PhotoProblem when there are none to read."""
    text = value.strip()
    if text[:5].lower() == b"data:":
        header, sep, payload = text.partition(b",")
        if not sep or b";base64" not in header.lower():
            raise PhotoProblem("the photo is not a base64 data: link")
        text = payload
    elif (encoding or "").lower() not in ("b", "base64"):
        if (value_type or "").lower() == "uri" or text[:4].lower() == b"http":
            raise PhotoProblem("the photo is a web link, which Rapport does not download")
        raise PhotoProblem("the photo is in a form Rapport cannot read")
    try:
        return base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PhotoProblem("the photo data is damaged") from exc


def resize_photo(data: bytes) -> bytes:
    """A square-bounded JPEG of at most PHOTO_SIDE pixels; raises PhotoProblem if unreadable."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # only an import with photos needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    raise PhotoProblem("the photo is far too large")
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoProblem:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoProblem("the photo is not an image Rapport can read") from exc
    picture.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
