"""Refang what forwarded messages contain: hxxp, [.], (dot), [at], spaces around dots."""
from __future__ import annotations

import re

_SCHEME = re.compile(r"\bh(?:xx|XX|\*\*|xX|Xx)p(s?)(?:\[:\]|:)//", re.UNICODE)
_DOT = re.compile(r"\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[point\]|\(point\))\s?", re.I)
_AT = re.compile(r"\s?(?:\[at\]|\(at\)|\{at\}|\[@\]|\(@\))\s?", re.I)
_COLON = re.compile(r"\[:\]")
# "ameli . fr", "ameli .fr/x": a space next to a dot followed by a common TLD and a boundary.
_SPACED_TLD = re.compile(
    r"(?<=[\w-])(?: \.|\. | \. )(fr|com|net|org|info|eu|io|co|uk|be|ch|online|site|xyz|top|app|me|ly|gouv\.fr)(?=[/\s,;:!?)]|$)",
    re.I,
)


def refang(text: str) -> str:
    """Undo the usual defanging so that links and addresses can be judged. Idempotent."""
    text = _SCHEME.sub(lambda m: "http" + m.group(1) + "://", text)
    text = _DOT.sub(".", text)
    text = _AT.sub("@", text)
    text = _COLON.sub(":", text)
    return _SPACED_TLD.sub(lambda m: "." + m.group(1), text)
