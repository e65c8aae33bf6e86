"""Text folding helpers shared by the matchers (accent- and case-insensitive)."""
from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isalnum():
        base = unicodedata.normalize("NFKD", ch)[0]
        return base.lower() if base.isalnum() else ch.lower()
    return " "


def fold(text: str) -> str:
    """Lower-case, strip accents, turn every non-alphanumeric character into a space; same length."""
    return "".join(_fold_char(ch) for ch in text)


def fold_compact(text: str) -> str:
    """`fold` with runs of spaces collapsed and ends stripped (for keys and aliases)."""
    return " ".join(fold(text).split())


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Compact fold of `text` plus, for each folded character, its offset in `text`."""
    out: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        if f == " ":
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            offsets.append(i - 1)
            pending_space = False
        out.append(f)
        offsets.append(i)
    return "".join(out), offsets


def unaccent(text: str) -> str:
    """Lower-case and strip accents, keeping punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
