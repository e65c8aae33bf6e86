"""Letters OCR confuses inside link codes, settled by their size against the other glyphs of the same word.

A link's random code ("bit.ly/48dR2qD?Cft=1tFUd8zHD0") has no dictionary to guide the OCR, and some
glyphs differ only by size: z / Z, o / O, s / S, c / C, v / V, w / W, x / X (lowercase is x-height,
capital is cap height), o / 0 (a zero is cap height) and O / 0 (a zero is as narrow as the other
digits, a capital O wider). Each glyph's box is compared with the glyphs of the same word that are
not ambiguous, so the rule holds in any font, size or theme; when the word has no reference or the
glyph sits between the two sizes, the OCR's reading stays. Only link-like words are touched: in
plain words the OCR's language model already decides better.
"""
from __future__ import annotations

import re
import statistics

from PIL import Image

from pictures.types import Box

# Scheme and host (when the word has them) and the first separator: what follows is the link's code.
_CODE = re.compile(r"^\W*(?:(?:https?:/{1,2})?(?:[\w-]+\.)+[a-z]{2,}[/?=&]|(?![^/]*:/)[^/?=&]*[/?=&])", re.I)
_SAME_SHAPE = set("cosvwxzCOSVWXZ")  # a lowercase and a capital of one shape, different sizes
_CAPITALS = set("ABDEFGHKLMNPRTUY")  # cap height, unlike any lowercase letter
_DIGITS = set("23456789")  # cap height (near enough), one common width
_X_HEIGHT = set("aemnru")  # x-height, no ascender, no descender, unlike any capital
LOWER_BELOW = 0.87  # of the cap height: a lowercase o with its overshoot reaches ~0.78, a capital 1.0
ZERO_UP_TO, CAPITAL_O_FROM = 1.12, 1.3  # width of a round cap-height glyph, in digit widths


def worth_settling(word: str) -> bool:
    """Whether `word` is link-like with a size-ambiguous glyph in its code (cheap: before any measuring)."""
    start = code_start(word)
    return start is not None and any(c in _SAME_SHAPE or c == "0" for c in word[start:])


def code_start(word: str) -> int | None:
    """Where a link-like word's code begins: after the scheme and host and their first "/", "?", "=" or "&"
    (a host is case-blind and spelled with words; a wrapped line's piece starts at its first separator)."""
    found = _CODE.search(word)
    return found.end() if found else None


def ink_boxes(gray: Image.Image, boxes: list[Box], line: Box) -> list[Box]:
    """The box of the ink inside each glyph's columns, over the whole height of its line (dark text on light).

    The OCR's own glyph boxes are guesses for some letters (an "o" as tall as the line); the ink is not."""
    x0, y0, x1, y1 = line
    band = gray.crop((max(0, x0), max(0, y0 - 2), min(gray.width, x1), min(gray.height, y1 + 2)))  # never past the edge
    x0 = max(0, x0)
    low, high = band.getextrema()
    if high - low < 40:
        return []
    ink = band.point(lambda v, t=(low + high) // 2: 255 if v < t else 0)
    out = []
    for bx0, _, bx1, _ in boxes:
        found = ink.crop((max(0, bx0 - x0), 0, max(0, bx1 - x0), ink.height)).getbbox()
        out.append((found[0], found[1], found[2], found[3]) if found else (0, 0, 0, 0))
    return out


def settle(word: str, boxes: list[Box]) -> str:
    """`word` with the size-ambiguous glyphs of its code settled; unchanged when the word cannot tell."""
    start = code_start(word)
    if len(word) != len(boxes) or start is None:
        return word
    # Heights from the baseline the references sit on: a box that caught a neighbour's descender ("yv") keeps
    # the glyph's own top. A box far wider than the references holds more than one glyph: it is left alone.
    references = [b for c, b in zip(word, boxes) if c in _CAPITALS or c in _DIGITS or c in _X_HEIGHT]
    baseline = _median([b[3] for b in references])
    widest = 1.5 * (_median([b[2] - b[0] for b in references]) or 0)
    heights = [int(baseline - b[1]) if baseline is not None else 0 for b in boxes]
    widths = [b[2] - b[0] for b in boxes]
    cap = _median([h for c, h in zip(word, heights) if c in _CAPITALS or c in _DIGITS])
    low = _median([h for c, h in zip(word, heights) if c in _X_HEIGHT])
    digit = _median([w for c, w in zip(word, widths) if c in _DIGITS])
    out = []
    for i, (char, height, width) in enumerate(zip(word, heights, widths)):
        small = _small(height, cap, low) if i >= start and height > 0 and width <= widest else None
        if char in _SAME_SHAPE or char == "0":
            if small is True:
                char = "o" if char in "0oO" else char.lower()
            elif small is False:
                char = _round_capital(char, width, digit) if char in "0oO" else char.upper()
        out.append(char)
    return "".join(out)


def _small(height: int, cap: float | None, low: float | None) -> bool | None:
    """True for an x-height glyph, False for a cap-height one, None when the word cannot tell."""
    if cap is not None and low is not None:
        if cap - low < 0.15 * cap:
            return None
        return abs(height - low) < abs(height - cap)
    if cap is not None:
        return height < LOWER_BELOW * cap
    if low is not None:
        if height <= 1.1 * low:
            return True
        return False if height >= 1.2 * low else None
    return None


def _round_capital(char: str, width: int, digit: float | None) -> str:
    """A cap-height round glyph: a zero when as narrow as the digits, an O when clearly wider."""
    if digit is None:
        return "O" if char == "o" else char
    if width <= ZERO_UP_TO * digit:
        return "0"
    if width >= CAPITAL_O_FROM * digit:
        return "O"
    return "O" if char == "o" else char


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None
