"""Evasion variants of real scams: what a scammer does to slip past filters.

Each real scam of the project's corpus (not the research SMS set) gets one variant, the kind
chosen in turn: accents removed, ALL CAPS, look-alike letters from other scripts, zero-width
characters inside words, a link written with spaces. Variants are marked `augmented`: they
are trained on and measured as "evasions", never counted as real messages.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Callable, Iterable

from vigie.corpus import Case

# Latin letter → a look-alike from another script (Cyrillic, Greek): the classic homoglyphs.
_LOOKALIKE = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у",
                            "i": "і", "A": "А", "E": "Е", "O": "Ο", "C": "С", "P": "Р", "T": "Т"})
_ZERO_WIDTH = "\u200b"
_WORD = re.compile(r"[^\W\d_]{5,}")
_LINK_DOT = re.compile(r"(?<=[a-z0-9])\.(?=(?:fr|com|net|org|info|online|site|top|xyz|co|uk)\b)")


def unaccented(text: str) -> str:
    """French typed without accents."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def capitals(text: str) -> str:
    """The whole message shouted."""
    return text.upper()


def lookalikes(text: str) -> str:
    """Every other long word written with look-alike letters of other scripts."""
    words = iter(range(10 ** 6))
    return _WORD.sub(lambda m: m.group().translate(_LOOKALIKE) if next(words) % 2 == 0 else m.group(), text)


def zero_width(text: str) -> str:
    """A zero-width space inside every long word."""
    return _WORD.sub(lambda m: m.group()[:2] + _ZERO_WIDTH + m.group()[2:], text)


def spaced_links(text: str) -> str:
    """Links written with spaces around their last dot ("site . fr"); else accents removed."""
    spaced = _LINK_DOT.sub(" . ", text)
    return spaced if spaced != text else unaccented(text)


KINDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("unaccented", unaccented), ("capitals", capitals), ("lookalikes", lookalikes),
    ("zero_width", zero_width), ("spaced_links", spaced_links),
)


def variants(cases: Iterable[Case]) -> list[Case]:
    """One evasion variant of each real scam outside the research SMS set, kinds taken in turn."""
    out = []
    scams = [c for c in cases if c.label == "scam" and not c.augmented and c.group != "mendeley"]
    for n, case in enumerate(scams):
        kind, make = KINDS[n % len(KINDS)]
        text = make(case.text)
        if text != case.text:
            out.append(dataclasses.replace(case, text=text, id=f"{case.id}~{kind}", augmented=True))
    return out
