"""Two fingerprints for joining near-identical screenshots into one campaign.

`dhash` compares the pictures (the same screenshot re-sent, recompressed or resized); `simhash`
compares the words read (the same campaign captured on another phone, font or theme).
"""
from __future__ import annotations

import hashlib
import re

from PIL import Image, ImageOps

DHASH_SIDE = 16  # 16 x 16 = 256 bits: 64 bits cannot tell two screens of the same app apart
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)  # words of 3+ letters: no clock, no icon noise


def dhash(image: Image.Image) -> str:
    """256-bit difference hash (brighter than the right neighbour?), hex; theme-independent sign."""
    gray = ImageOps.grayscale(image).resize((DHASH_SIDE + 1, DHASH_SIDE), Image.LANCZOS)
    pixels = gray.tobytes()
    bits = 0
    for y in range(DHASH_SIDE):
        row = pixels[y * (DHASH_SIDE + 1):(y + 1) * (DHASH_SIDE + 1)]
        for x in range(DHASH_SIDE):
            bits = (bits << 1) | (row[x] > row[x + 1])
    return f"{bits:0{DHASH_SIDE * DHASH_SIDE // 4}x}"


def simhash(text: str) -> str:
    """64-bit simhash of the lower-cased words of `text`, hex (one misread word moves few bits)."""
    weights = [0] * 64
    for gram in _WORD.findall(text.lower()):
        h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return f"{value:016x}"


def distance(a: str, b: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")
