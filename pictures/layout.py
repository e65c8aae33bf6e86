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
_LINK_CHARS = re.compile(r"[\w/.\-~%?=&#+:@]+", re.UNICODE)
_URL_PART = re.compile(r"[/.=?&_%#\d]")
# A stand-alone group of digits: not part of a word, a link path or a decimal ("bit.ly/3O1x" stays).
_DIGIT_GROUP = re.compile(r"(?<![\w/.\-=?&%#@])[0-9OolI|]{2,}(?![\w/\-=?&%#@]|[.,]\w)")
_DIGIT = re.compile(r"\d")
_AS_DIGIT = str.maketrans("OolI|", "00111")
_SPACED_TLD = re.compile(r"(?<=\w)(\w)\. (fr|com|net|org|info|eu|gouv\.fr|io|me|ly|co|app|xyz|top|online|site)"
                         r"(?=$|[\s/.,;:!?)])")
_SCHEME = re.compile(r"\b(?:[hn]t{1,2}p|ht{1,2}[pb])(s?)[:;]//", re.I)
_ONE_SLASH = re.compile(r"\b(https?):/(?:A(?=www\.)|(?=\w))", re.I)  # "https:/Awww." and "https:/www."
_TOP_BAND = 0.12
_STATUS_BAND = 0.045  # a status bar is 24-32 dp of a screen 800 dp tall
_CLOCK_START = re.compile(r"^\W{0,2}\d{1,2}[:h.]\d{2}\b")
_CLOCK_ONLY = re.compile(r"^\W{0,2}\d{1,2}[:h.]\d{2}(?:\s?[AP]M)?\W{0,3}$", re.I)
_DAY_ONLY = re.compile(  # a thread's day separator: "Aujourd'hui", "Hier 18:02", "Today", "lundi"
    r"^\W{0,2}(?:aujourd.hui|hier|today|yesterday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?:[\s,]+\d{1,2}[:h.]\d{2})?\W{0,2}$", re.I)
_ICONS = re.compile(r"^(?:\S{1,2}\s+)+")  # back arrow and avatar read as "<", "©", "@"...
_HYPHEN_END = re.compile(r"[^\W_]-$")  # chat apps never hyphenate: a line ending "x-" goes on


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


def split_chrome(rows: list[tuple[str, Box, float]], width: int, height: int
                 ) -> tuple[list[tuple[str, Box, float]], list[tuple[str, Box, float]], str]:
    """(message lines, chrome lines, header) of a phone screenshot; other pictures are all message.

    On a picture at least 1.7 times as tall as wide, lines in the top 12 % are the status bar and
    the conversation's title bar; anywhere, a line holding only a clock time is a bubble's time
    and one holding only a day ("Aujourd'hui", "Yesterday 18:02") is the thread's day separator.
    """
    phone = height >= 1.7 * width
    message, chrome, header = [], [], []
    for row in rows:
        text, box, _ = row
        if phone and box[3] <= _TOP_BAND * height:
            chrome.append(row)
            if box[3] > _STATUS_BAND * height and not _CLOCK_START.match(text):  # below the status bar
                header.append(_ICONS.sub("", text).strip())
        elif _CLOCK_ONLY.match(text) or _DAY_ONLY.match(text):
            chrome.append(row)
        else:
            message.append(row)
    return message, chrome, " ".join(h for h in header if h)


def separators(rows: list[tuple[str, Box, float]]) -> list[str]:
    """What follows each line: "" inside a wrapped link, " " inside a bubble, "\n" after it."""
    seps = []
    for i, (text, box, _) in enumerate(rows):
        if i + 1 == len(rows) or not _same_bubble(box, rows[i + 1][1]):
            seps.append("\n")
            continue
        seps.append("" if _HYPHEN_END.search(text) or _link_goes_on(rows, i) else " ")
    return seps


def _link_goes_on(rows: list[tuple[str, Box, float]], i: int) -> bool:
    """Whether line i ends inside a link that the next line finishes.

    Chromium and phone apps break a link after "/", "?", "=", "&", "-" or, failing that, at the
    last character that fits; a break at a space leaves a plain word on the next line.
    """
    text, box, _ = rows[i]
    following = rows[i + 1][0].split(maxsplit=1)
    if not (_LINKISH_END.search(text) and following and _LINK_CHARS.fullmatch(following[0])):
        return False
    nxt = following[0]
    slack = _bubble_right(rows, i) - box[2]
    height = max(box[3] - box[1], 1)
    urlish = bool(_URL_PART.search(nxt))
    return (urlish and (slack <= 1.2 * height or text[-1] in "/?=&-_")
            or nxt[0].islower() and slack <= 0.5 * height)


def fix_misreads(text: str) -> str:
    """Undo OCR slips that break links and numbers, and only those.

    O read for 0 and l, I or | for 1 in a group of digits ("19 75 O1"); a space after the dot
    before a top-level domain ("Monstagedetroisieme. fr"); "nttps://", "https:/www." and
    "https:/Awww." (the second slash read as A) for "https://".
    """
    text = _DIGIT_GROUP.sub(lambda m: m.group(0).translate(_AS_DIGIT) if _DIGIT.search(m.group(0)) else m.group(0),
                            text)
    text = _SPACED_TLD.sub(r"\1.\2", text)
    text = _ONE_SLASH.sub(r"\1://", text)
    return _SCHEME.sub(lambda m: "http" + m.group(1) + "://", text)


def to_lines(rows: list[tuple[str, Box, float]], seps: list[str], scale: float) -> tuple[Line, ...]:
    """Lines with boxes back in the received picture's pixels and their offsets in the joined text."""
    lines, start = [], 0
    for (text, (x0, y0, x1, y1), conf), sep in zip(rows, seps):
        box = (round(x0 / scale), round(y0 / scale), round(x1 / scale), round(y1 / scale))
        lines.append(Line(text, box, round(conf, 3), start, sep))
        start += len(text) + len(sep)
    return tuple(lines)
