"""Reading order for the lines an OCR engine found, and links that the screen wrapped over lines.

A messaging app wraps a long link wherever the bubble ends ("https://assures-am" / "ell.fr");
read line by line, the link would be cut in two. Lines of one bubble are joined by a space (a
number wrapped as "09 77" / "19 75 01" stays one number); a line is glued to the next without
a space only when it ends in something link-like, fills its bubble and the next line goes on.
"""
from __future__ import annotations

import re

from pictures.types import Box, Line

_LINKISH_END = re.compile(r"(?:https?://|www\.|[\w-]+\.[a-z]{2,}/|[\w-]+\.[\w.-]*[/=?&.-]$)\S*$", re.I)
_LINKISH_START = re.compile(r"^[\w/.\-~%?=&#+:@]+", re.UNICODE)
# A stand-alone group of digits: not part of a word, a link path or a decimal ("bit.ly/3O1x" stays).
_DIGIT_GROUP = re.compile(r"(?<![\w/.\-=?&%#@])[0-9OolI|]{2,}(?![\w/\-=?&%#@]|[.,]\w)")
_DIGIT = re.compile(r"\d")
_AS_DIGIT = str.maketrans("OolI|", "00111")


def reading_order(found: list[tuple[str, Box, float]]) -> list[tuple[str, Box, float]]:
    """Lines top to bottom; boxes on the same row (overlapping by half their height) left to right."""
    rows: list[list[tuple[str, Box, float]]] = []
    for item in sorted(found, key=lambda f: (f[1][1] + f[1][3]) / 2):
        _, (x0, y0, x1, y1), _ = item
        if rows:
            ry0 = min(b[1] for _, b, _ in rows[-1])
            ry1 = max(b[3] for _, b, _ in rows[-1])
            if min(y1, ry1) - max(y0, ry0) > 0.5 * min(y1 - y0, ry1 - ry0):
                rows[-1].append(item)
                continue
        rows.append([item])
    out = []
    for row in rows:
        row.sort(key=lambda f: f[1][0])
        text = " ".join(t.strip() for t, _, _ in row if t.strip())
        if text:
            box = (min(b[0] for _, b, _ in row), min(b[1] for _, b, _ in row),
                   max(b[2] for _, b, _ in row), max(b[3] for _, b, _ in row))
            out.append((text, box, min(c for _, _, c in row)))
    return out


def _same_bubble(a: Box, b: Box) -> bool:
    height = max(a[3] - a[1], b[3] - b[1], 1)
    return b[1] - a[3] < 0.8 * height and abs(a[0] - b[0]) < 1.5 * height


def _bubble_right(rows: list[tuple[str, Box, float]], i: int) -> int:
    """Right edge of the widest line in the bubble around line i (lines chained by small gaps)."""
    lo = i
    while lo > 0 and _same_bubble(rows[lo - 1][1], rows[lo][1]):
        lo -= 1
    hi = i
    while hi + 1 < len(rows) and _same_bubble(rows[hi][1], rows[hi + 1][1]):
        hi += 1
    return max(rows[k][1][2] for k in range(lo, hi + 1))


def separators(rows: list[tuple[str, Box, float]]) -> list[str]:
    """What follows each line: "" inside a wrapped link, " " inside a bubble, "\n" after it."""
    seps = []
    for i, (text, box, _) in enumerate(rows):
        if i + 1 == len(rows) or not _same_bubble(box, rows[i + 1][1]):
            seps.append("\n")
            continue
        height = max(box[3] - box[1], 1)
        full = box[2] >= _bubble_right(rows, i) - 1.2 * height
        glued = bool(_LINKISH_END.search(text)) and full and bool(_LINKISH_START.match(rows[i + 1][0]))
        seps.append("" if glued else " ")
    return seps


def fix_digits(text: str) -> str:
    """O read for 0 and l, I or | read for 1 inside a group of digits ("19 75 O1" -> "19 75 01")."""
    return _DIGIT_GROUP.sub(lambda m: m.group(0).translate(_AS_DIGIT) if _DIGIT.search(m.group(0)) else m.group(0),
                            text)


def to_lines(rows: list[tuple[str, Box, float]], seps: list[str], scale: float) -> tuple[Line, ...]:
    """Lines with boxes back in the received picture's pixels and their offsets in the joined text."""
    lines, start = [], 0
    for (text, (x0, y0, x1, y1), conf), sep in zip(rows, seps):
        box = (round(x0 / scale), round(y0 / scale), round(x1 / scale), round(y1 / scale))
        lines.append(Line(text, box, round(conf, 3), start, sep))
        start += len(text) + len(sep)
    return tuple(lines)
