"""Refang what forwarded messages contain: hxxp, [.], (dot), [at], spaces inside links.

Every pattern is linear: fixed alternatives and single optional spaces, no nested repetition,
so a hostile message cannot make them backtrack.
"""
from __future__ import annotations

import re
from typing import Callable

from nlp.normalise import Mapped

_SCHEME = re.compile(r"\b[hH](?:xx|XX|\*\*|xX|Xx)[pP]([sS]?)(?:\[:\]|:)//", re.UNICODE)
# "h t t p s : / /", "http: //": a scheme written with single spaces between its characters.
_SPACED_SCHEME = re.compile(r"\b([hH]) ?([tT]) ?([tT]) ?([pP])(?: ?([sS]))? ?: ?/ ?/ ?(?=\w)")
_DOT = re.compile(r"\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[point\]|\(point\))\s?", re.I)
_AT = re.compile(r"\s?(?:\[at\]|\(at\)|\{at\}|\[@\]|\(@\))\s?", re.I)
_COLON = re.compile(r"\[:\]")
# "www. site. com", "www .site": the dot after www with a space on either side.
_SPACED_WWW = re.compile(r"\b([wW]{3})(?: \.|\. | \. )(?=[^\W_])")
# "ameli . fr", "ameli .fr/x", "ameli . gouv . fr", "site . com." (a sentence's full stop after the
# TLD): a space next to a dot before a common TLD.
_SPACED_TLD = re.compile(
    r"(?<=[\w-])(?: \.|\. | \. )(fr|com|net|org|info|eu|io|co|uk|be|ch|online|site|xyz|top|app|me|ly"
    r"|gouv\.fr|gouv(?= ?\. ?fr\b))(?=[/\s,;:!?)]|\.(?:\s|$)|$)",
    re.I,
)

Rule = tuple["re.Pattern[str]", Callable[["re.Match[str]"], str]]


def _spaced_tld(m: re.Match[str]) -> str:
    tld = m.group(1)
    # "Merci. Me voici": a capital after ". " starts a sentence, unless the whole link is in capitals.
    if m.group(0).startswith(". ") and tld[0].isupper() and not (tld.isupper() and _upper_before(m)):
        return m.group(0)
    return "." + tld


def _upper_before(m: re.Match[str]) -> bool:
    word = re.search(r"[\w-]{1,63}$", m.string[max(0, m.start() - 63):m.start()])
    return bool(word) and word.group(0).isupper()


RULES: tuple[Rule, ...] = (
    (_SCHEME, lambda m: "http" + m.group(1).lower() + "://"),
    (_SPACED_SCHEME, lambda m: "http" + ("s" if m.group(5) else "") + "://"),
    (_DOT, lambda m: "."),
    (_AT, lambda m: "@"),
    (_COLON, lambda m: ":"),
    (_SPACED_WWW, lambda m: m.group(1) + "."),
    (_SPACED_TLD, _spaced_tld),
)


def refang(text: str) -> str:
    """Undo the usual defanging so that links and addresses can be judged. Idempotent."""
    for pattern, repl in RULES:
        text = pattern.sub(repl, text)
    return text


def refang_mapped(mapped: Mapped) -> Mapped:
    """`refang` keeping the map of offsets back into the original text."""
    for pattern, repl in RULES:
        mapped = mapped.sub(pattern, repl)
    return mapped
