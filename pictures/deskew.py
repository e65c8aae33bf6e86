"""Straighten a picture taken at a slant (a photo of a phone, a rotated screenshot) before OCR.

Tesseract splits words on lines tilted by a few degrees ("Parki ngSQR.com"). The angle is the
one whose horizontal projection of ink is the most contrasted: text lines then fall into rows.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

MAX_DEGREES = 8.0
MIN_DEGREES = 0.4  # below this, rotating costs more than it gives back
_PROBE_WIDTH = 300


def _ink(image: Image.Image) -> Image.Image:
    """Small 1-bit picture where text pixels are 255 (edges, so light and dark themes both work)."""
    small = ImageOps.grayscale(image.reduce(max(1, image.width // _PROBE_WIDTH)))  # box filter: fast
    edges = np.asarray(small.filter(ImageFilter.FIND_EDGES))
    threshold = max(24, int(edges.mean() * 3))
    return Image.fromarray(np.where(edges > threshold, 255, 0).astype(np.uint8))


def _contrast(ink: Image.Image, degrees: float) -> float:
    turned = ink.rotate(degrees, resample=Image.NEAREST, expand=False)
    rows = np.frombuffer(turned.tobytes(), dtype=np.uint8).reshape(turned.height, turned.width).sum(axis=1)
    return float(rows.var())


def skew_angle(image: Image.Image) -> float:
    """Degrees to rotate `image` counter-clockwise to make its text lines horizontal."""
    ink = _ink(image)
    best = 0.0
    for step, span in ((1.0, MAX_DEGREES), (0.25, 0.75), (0.1, 0.2)):  # coarse to fine
        candidates = [best + k * step for k in range(-round(span / step), round(span / step) + 1)]
        best = max(candidates, key=lambda a: _contrast(ink, a))
    return round(best, 1)


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """`image` straightened, and the angle it was turned by (0.0 when it was straight enough)."""
    angle = skew_angle(image)
    if abs(angle) < MIN_DEGREES:
        return image, 0.0
    corner = image.getpixel((0, 0))  # the background a rotation reveals takes the corner's colour
    return image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=corner), angle
