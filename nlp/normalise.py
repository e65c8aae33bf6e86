"""Normalise a message before anything reads it, keeping a map back into what the patient sent.

`normalise(text)` returns `(clean, offsets)`: `offsets[i]` is where `clean[i]` starts in `text`
and `offsets[len(clean)] == len(text)`, so a span `(s, e)` of `clean` is `(offsets[s], offsets[e])`
of `text` (characters that were removed are absorbed by the character before them). The map is
non-decreasing. Steps, each bounded (linear regexes, no backtracking):

1. control characters become spaces; format characters (Unicode Cf: zero-width space/joiners,
   word joiner, BOM, soft hyphen, bidi overrides) and variation selectors are removed;
2. runs are collapsed: one non-word character repeated (more than 3), punctuation/symbols/marks
   in a row (more than 10); absurdly long tokens are cut (more than `MAX_TOKEN` characters);
3. NFKC (fullwidth and mathematical letters, ligatures), per cluster so offsets stay exact;
4. letters from other scripts that look Latin (Unicode TR39 confusables, from the
   `confusable-homoglyphs` data) become their Latin letter — only inside mostly-Latin words, or in
   words made only of look-alikes in a mostly-Latin message, so Russian or Greek stays as it is.

Accents and letter case are kept: lookups fold them (see `nlp.cues.LemmaNorm`).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import Callable

Span = tuple[int, int]
MAX_TOKEN = 200  # characters kept of one whitespace-free token (a long URL stays judgeable)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SAME_RUN = re.compile(r"([^\w])\1{3,}")  # "!!!!!!", "€€€€", "\n\n\n\n" -> 3 of them
_CLASS_RUN = re.compile(r"[^\w\s]{11,}")  # punctuation, symbols, emoji, combining marks -> 10
_LONG_TOKEN = re.compile(r"(?<!\S)\S{%d}\S+" % MAX_TOKEN)
WORD_RUN = re.compile(r"[^\W\d_]+")  # a run of letters
_TOKEN = re.compile(r"\S+")
_LINKISH = re.compile(r"://|@|www\.|[^\W_]\.[^\W\d_]{2}", re.I)  # scheme, address, www., "x.fr"


class Mapped:
    """A text and, for each character, where it starts in the original (plus the original end)."""

    __slots__ = ("text", "bounds")

    def __init__(self, text: str, bounds: list[int] | None = None) -> None:
        self.text = text
        self.bounds = bounds if bounds is not None else list(range(len(text) + 1))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> "Mapped":
        """`pattern.sub(repl, text)` with the map kept: new characters map to where the match was."""
        text, bounds = self.text, self.bounds
        out: list[str] = []
        new: list[int] = []
        last = 0
        for m in pattern.finditer(text):
            start, end = m.span()
            piece = repl(m)
            if piece == m.group(0):
                continue
            out.append(text[last:start])
            new.extend(bounds[last:start])
            out.append(piece)
            new.extend(_piece_bounds(piece, m.group(0), bounds[start:end + 1]))
            last = end
        if not out:
            return self
        out.append(text[last:])
        new.extend(bounds[last:])
        return Mapped("".join(out), new)

    def cut(self, limit: int) -> "Mapped":
        """The first `limit` characters (the end maps to where the cut was made)."""
        if len(self.text) <= limit:
            return self
        return Mapped(self.text[:limit], self.bounds[:limit + 1])

    def append(self, extra: str) -> "Mapped":
        """Text added after the end (it maps to the end of the original)."""
        return Mapped(self.text + extra, self.bounds[:-1] + [self.bounds[-1]] * (len(extra) + 1))


def _piece_bounds(piece: str, matched: str, bounds: list[int]) -> list[int]:
    """Offsets for a replacement: characters it shares with the match's start or end keep theirs."""
    if len(piece) == len(matched):
        return bounds[:len(piece)]
    head = 0
    while head < len(piece) and head < len(matched) and piece[head] == matched[head]:
        head += 1
    tail = 0
    while (tail < len(piece) - head and tail < len(matched) - head
           and piece[-1 - tail] == matched[-1 - tail]):
        tail += 1
    middle = bounds[min(head, len(matched) - 1)] if matched else bounds[0]
    tail_bounds = bounds[len(matched) - tail:len(matched)] if tail else []
    return bounds[:head] + [middle] * (len(piece) - head - tail) + tail_bounds


def original_span(offsets: tuple[int, ...] | list[int], span: Span) -> Span:
    """The span of the original text that `span` of the clean text came from."""
    if not offsets:
        return span
    last = len(offsets) - 1
    start, end = (min(max(x, 0), last) for x in span)
    a, b = offsets[start], offsets[max(end, start)]
    while b <= a and end < last and end > start:  # an expansion (a ligature): take its whole source
        end += 1
        b = offsets[end]
    return a, b


SKELETON_ROUNDS = 4  # each round can only make a word more Latin; real text settles in one or two


def normalise(text: str) -> tuple[str, tuple[int, ...]]:
    """`(clean, offsets)`: see the module's docstring."""
    mapped = normalise_mapped(text)
    return mapped.text, tuple(mapped.bounds)


def normalise_mapped(text: str) -> Mapped:
    """The normalised text with its offset map, as a `Mapped`."""
    mapped = Mapped(_CONTROL.sub(" ", text))  # same length: the identity map still holds
    if not mapped.text.isascii():
        mapped = _drop_format(mapped)
    mapped = _collapse(mapped)
    if not mapped.text.isascii():
        # Look-alikes before NFKC (it turns Greek "ϲ" into "ς") and after it (mathematical letters).
        mapped = _nfkc(_latin_skeleton(mapped))
        for _ in range(SKELETON_ROUNDS):  # until nothing changes: the result is normalised for good
            before = mapped.text
            mapped = _latin_skeleton(mapped)
            if mapped.text == before:
                break
            # A mapped letter may now compose with an accent after it ("А" + "́" → "Á"), which
            # makes its word more Latin, so that another look-alike in it is now mapped too.
            mapped = _nfkc(mapped)
        mapped = _collapse(_drop_format(mapped))
    return mapped


def warm_up() -> None:
    """Load the look-alike table now (it takes a few hundred ms), not on a patient's message."""
    _confusables()


def _collapse(mapped: Mapped) -> Mapped:
    mapped = mapped.sub(_SAME_RUN, lambda m: m.group(1) * 3)
    mapped = mapped.sub(_CLASS_RUN, lambda m: m.group(0)[:10])
    return mapped.sub(_LONG_TOKEN, lambda m: m.group(0)[:MAX_TOKEN])


def _drop_format(mapped: Mapped) -> Mapped:
    text, bounds = mapped.text, mapped.bounds
    keep = [i for i, ch in enumerate(text) if not _is_format(ch)]
    if len(keep) == len(text):
        return mapped
    new = [bounds[i] for i in keep]
    new[:1] = [bounds[0]] if new else []
    return Mapped("".join(text[i] for i in keep), new + [bounds[-1]])


@lru_cache(maxsize=8192)
def _is_format(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or is_variation_selector(ch)


def is_variation_selector(ch: str) -> bool:
    """U+FE00-FE0F and U+E0100-E01EF: invisible marks that only choose a glyph's look (an emoji's
    colour form); between Latin letters they only split words past filters ("Bi\U000e0139lling")."""
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _nfkc(mapped: Mapped) -> Mapped:
    text, bounds = mapped.text, mapped.bounds
    if unicodedata.is_normalized("NFKC", text):
        return mapped
    out: list[str] = []
    new: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _joins(text[j - 1], text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        new.extend(bounds[i:i + len(piece)] if len(piece) <= j - i else
                   bounds[i:j] + [bounds[j - 1]] * (len(piece) - (j - i)))
        i = j
    return Mapped("".join(out), new + [bounds[-1]])


@lru_cache(maxsize=8192)
def _joins(prev: str, ch: str) -> bool:
    """True when `ch` may change under NFKC together with the character before it."""
    if ch.isascii() and prev.isascii():
        return False
    if unicodedata.combining(ch):
        return True
    return unicodedata.normalize("NFKC", prev + ch) != unicodedata.normalize("NFKC", prev) + \
        unicodedata.normalize("NFKC", ch)


def _latin_skeleton(mapped: Mapped) -> Mapped:
    table = _confusables()
    if not any(ch in table for ch in mapped.text):
        return mapped

    links = _link_spans(mapped.text)

    def scheme(m: re.Match[str]) -> bool:  # "httрs://": a scheme is never a homograph domain
        return mapped.text.startswith("://", m.end())

    def mostly_latin(m: re.Match[str]) -> str:
        w = m.group(0)
        if any(ch in table for ch in w) and scheme(m):
            return "".join(table.get(ch, ch) for ch in w)
        if not any(ch in table for ch in w) or _inside(links, m.start()):
            return w
        n_latin = sum(1 for ch in w if script_of(ch) == "LATIN")
        return "".join(table.get(ch, ch) for ch in w) if n_latin * 2 > len(w) else w

    def only_lookalikes(m: re.Match[str]) -> str:
        w = m.group(0)
        if _inside(links, m.start()):
            return w
        if any(ch in table for ch in w) and all(ch in table or script_of(ch) == "LATIN" for ch in w):
            return "".join(table.get(ch, ch) for ch in w)
        return w

    # First the words that are mostly Latin; then, when the message is mostly Latin, the words
    # made only of look-alikes ("раyеz" written all in Cyrillic inside a French message).
    mapped = _same_length_sub(mapped, WORD_RUN, mostly_latin)
    latin = sum(1 for ch in mapped.text if script_of(ch) == "LATIN")
    if latin * 2 > sum(1 for ch in mapped.text if ch.isalpha()):
        mapped = _same_length_sub(mapped, WORD_RUN, only_lookalikes)
    return mapped


def _link_spans(text: str) -> list[tuple[int, int]]:
    """Tokens that look like a link, a domain or an address: a look-alike letter there is an IDN
    homograph for the link judge to see ("аmeli.fr" with a Cyrillic "а" is not ameli.fr)."""
    return [m.span() for m in _TOKEN.finditer(text) if _LINKISH.search(m.group(0))]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _same_length_sub(mapped: Mapped, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> Mapped:
    """A substitution that keeps every length (one letter for one letter): the map is unchanged."""
    out = pattern.sub(repl, mapped.text)
    return Mapped(out, mapped.bounds) if len(out) == len(mapped.text) else mapped.sub(pattern, repl)


@lru_cache(maxsize=8192)
def script_of(ch: str) -> str:
    """The Unicode script of a letter, as its name starts (LATIN, CYRILLIC…; '' for others)."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else ""
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """Non-Latin letters that look like one Latin letter -> that letter (TR39 confusables)."""
    from confusable_homoglyphs import confusables  # TR39 data, loaded on first use

    raw = confusables.confusables_data
    table: dict[str, str] = {}
    for ch, targets in raw.items():
        if len(ch) != 1 or not ch.isalpha() or script_of(ch) in ("LATIN", ""):
            continue
        found = [t["c"] for t in targets if len(t["c"]) == 1 and t["c"].isascii() and t["c"].isalpha()]
        if not found:
            continue
        same_case = [t for t in found if t.isupper() == ch.isupper()]
        if same_case:
            table[ch] = same_case[0]
        elif ch.isupper():  # Cyrillic "І" is confusable with "l"; its lower case says "i" -> "I"
            low = [t["c"] for t in raw.get(ch.lower(), []) if len(t["c"]) == 1 and t["c"].isascii()]
            table[ch] = low[0].upper() if low and low[0].isalpha() else found[0]
        else:
            table[ch] = found[0]
    return table
