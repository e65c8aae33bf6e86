"""Disguised words: letters of another script that look Latin, or invisible characters inside a word.

A genuine sender has no reason to write "аmeli" with a Cyrillic "а" or to split "colis" with a
zero-width space: it is how a message slips past filters. The normaliser (nlp/normalise.py) reads
such words as plain Latin; the words it had to change are the cue (`disguised_text`).
"""
from __future__ import annotations

from nlp.normalise import WORD_RUN, Span, is_variation_selector, script_of

# Invisible characters that have no business inside a Latin word (soft hyphens, which e-mail
# software inserts for line breaking, and joiners between letters of other scripts are left out).
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
MIN_DISGUISED = 3  # letters a word needs to count ("µg" is a unit, not a disguise)


def disguised_words(text: str, bounds: list[int] | tuple[int, ...], original: str,
                    limit: int = 5) -> list[Span]:
    """Words of the normalised `text` that the sender disguised in `original`: written with
    letters of another script that look Latin ("аmeli" with a Cyrillic "а", fullwidth or
    mathematical letters), or with invisible characters between their letters.

    A genuine sender has no reason to do either: it is how a message slips past filters. Only the
    words the normaliser turned into plain Latin count, so a Russian or Greek text is not one.
    """
    if original.isascii():
        return []
    out: list[Span] = []
    for m in WORD_RUN.finditer(text):
        word = m.group(0)
        if len(word) < MIN_DISGUISED or word.isascii() and original[bounds[m.start()]:bounds[m.end()]] == word:
            continue
        if not all(script_of(ch) == "LATIN" for ch in word):
            continue
        inner = original[bounds[m.start()]:bounds[m.end() - 1]]  # from its first letter to its last
        raw = original[bounds[m.start()]:bounds[m.end()]]
        if any(ch in _INVISIBLE or is_variation_selector(ch) for ch in inner) \
                or any(ch.isalpha() and script_of(ch) != "LATIN" for ch in raw):
            out.append(m.span())
            if len(out) >= limit:
                break
    return out
