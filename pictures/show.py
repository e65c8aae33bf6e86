"""A kept picture as staff see it: decoded with the same checks as for reading, re-encoded as a plain PNG.

Never the bytes as received: the PNG written here has no EXIF (a photo's place and camera), no trailing
data and no other format hidden in it, whatever the patient's file held, and its type is certain.
"""
from __future__ import annotations

import io

from pictures import decode as _decode

SHOW_SIDE = 1600  # long side shown on the case page: a 1080 x 2400 screenshot stays readable at 720 x 1600


def as_png(data: bytes, *, max_side: int = SHOW_SIDE, max_bytes: int = _decode.MAX_BYTES) -> bytes:
    """The picture re-encoded as an RGB PNG at most `max_side` long; bad input raises a named PictureError."""
    image = _decode.decode(data, max_bytes=max_bytes).image
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()
