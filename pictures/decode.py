"""Sniff a picture by its bytes, refuse what is not a picture or too big, decode it safely.

The declared content type (Twilio's MediaContentType, a MIME part's header) is never trusted:
only the magic bytes decide. Sizes are checked on the header before any pixel is decoded.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from pictures.types import CorruptPicture, DecompressionBomb, EmptyPicture, PictureTooLarge, UnsupportedPicture

MAX_BYTES = 10 * 1024 * 1024  # the e-mail body limit; Twilio MMS media are at most 5 MB
# A 50-megapixel phone camera (8160 x 6120) is the biggest honest picture a patient can send:
# up to that, a picture is reduced (JPEG while decoding, others by a box filter) rather than
# refused, so that a photo of a letter with a QR code is read; beyond it, it is a bomb.
MAX_PIXELS = 50_000_000
# PNG, WebP and HEIC have no reduced decoding (JPEG has: DCT scaling, `draft`): the whole picture is decoded
# before it can be reduced, at a cost per pixel measured by bench/picture_memory.py on top of a worker's 393 MB
# (PNG ~4 bytes, WebP ~15-18, HEIC ~6.5: a 40-megapixel WebP took the worker to 985 MB, a PNG to 541 MB). Above
# these they are refused before a pixel is decoded; no screenshot comes near (a 1440 x 3200 screen is 4.6
# megapixels, a 5K desktop 14.7) and an iPhone's 24-megapixel HEIC photo fits.
WHOLE_DECODE_PIXELS = {"png": 24_000_000, "webp": 6_000_000, "heic": 25_000_000}
# The long side OCR works on: a 1080 x 2400 screenshot is read as is, a photo is reduced to it.
WORK_SIDE = 2400

_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}  # EXIF orientation -> transpose
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_KNOWN_OTHERS = ((b"%PDF", "PDF"), (b"GIF8", "GIF"), (b"BM", "BMP"), (b"II*\x00", "TIFF"),
                 (b"MM\x00*", "TIFF"), (b"PK\x03\x04", "ZIP"), (b"<svg", "SVG"), (b"<?xml", "XML"))


@dataclass(frozen=True)
class Decoded:
    """A decoded picture: its kind, its size as received, and an RGB copy at most WORK_SIDE long."""

    kind: str
    width: int
    height: int
    image: Image.Image  # RGB, long side <= WORK_SIDE
    scale: float  # image pixels per received pixel (1.0 when not reduced)


def sniff(data: bytes) -> str:
    """The picture kind from the magic bytes: png, jpeg, webp or heic; raises for anything else."""
    if not data:
        raise EmptyPicture("the picture is empty (0 bytes)")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    head = data[:16].lstrip()
    for magic, name in _KNOWN_OTHERS:
        if head.startswith(magic):
            raise UnsupportedPicture(f"a {name} file is not a picture Vigie reads (PNG, JPEG, WebP or HEIC)")
    raise UnsupportedPicture("not a PNG, JPEG, WebP or HEIC picture")


def _open(data: bytes, kind: str) -> Image.Image:
    if kind == "heic":
        try:
            import pillow_heif
        except ImportError:  # optional decoder: without it HEIC gets the same answer as any unknown type
            raise UnsupportedPicture("HEIC pictures need pillow-heif, which is not installed") from None
        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=None)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise DecompressionBomb(f"the {kind.upper()} picture declares too many pixels ({e})") from None
    except Exception as e:  # Pillow raises many types for a broken header
        raise CorruptPicture(f"the {kind.upper()} picture cannot be decoded: {e}") from None


def decode(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Decoded:
    """Check and decode `data`; every refusal is a named PictureError, nothing else escapes."""
    if len(data) > max_bytes:
        raise PictureTooLarge(f"the picture has {len(data)} bytes, more than the {max_bytes} accepted")
    kind = sniff(data)
    image = _open(data, kind)
    width, height = image.size
    limit = min(max_pixels, WHOLE_DECODE_PIXELS.get(kind, max_pixels))
    if width * height > limit or width <= 0 or height <= 0:
        raise DecompressionBomb(
            f"the {kind.upper()} picture declares {width} x {height} pixels, more than the {limit} accepted")
    long_side = max(width, height)
    if kind == "jpeg" and long_side > 2 * WORK_SIDE:
        image.draft("RGB", (width * WORK_SIDE // long_side, height * WORK_SIDE // long_side))  # DCT scaling
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            orientation = image.getexif().get(0x0112, 1)
            image = _shrink(image)  # before any copy: a 40-megapixel PNG must not be copied whole
            if orientation in _TRANSPOSE:
                image = image.transpose(_TRANSPOSE[orientation])
            rgb = _flatten(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise DecompressionBomb(f"the {kind.upper()} picture is too big once decoded ({e})") from None
    except Exception as e:  # truncated data, CRC error, oversized text chunk
        raise CorruptPicture(f"the {kind.upper()} picture cannot be decoded: {e}") from None
    if orientation in (5, 6, 7, 8):  # a quarter turn swaps the sides
        width, height = height, width
    scale = min(1.0, WORK_SIDE / max(rgb.size))
    if scale < 1.0:
        rgb = rgb.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))), Image.LANCZOS)
    return Decoded(kind, width, height, rgb, rgb.width / width)


def _shrink(image: Image.Image) -> Image.Image:
    """A picture more than twice WORK_SIDE long, box-reduced by a whole factor (cheap, no copy first)."""
    factor = max(image.size) // WORK_SIDE
    if factor < 2:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
    return image.reduce(factor)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent screenshots and palette pictures read like what the eye sees."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")
