"""The establishment directory: ~100,000 FINESS establishments and Annuaire practice sites.

They are too many to hold as objects, so `nlp` asks a directory (implemented over SQLite by
`store.directory`) through this small protocol, with name keys it builds from the text.
"""
from __future__ import annotations

from typing import Iterable, Protocol

from nlp.types import Institution

# Words that open an establishment's name, folded; longest first.
TRIGGERS: tuple[str, ...] = (
    "centre hospitalier regional universitaire", "centre hospitalier universitaire",
    "centre hospitalier regional", "centre hospitalier intercommunal", "centre hospitalier",
    "groupe hospitalier", "hopital prive", "centre de sante", "maison de sante", "centre medical",
    "chru", "chu", "chr", "chi", "ch", "ghu", "gh", "hopital", "hopitaux", "clinique", "polyclinique",
    "cabinet", "laboratoire", "pharmacie", "institut", "ehpad", "centre", "dr", "docteur",
)
# Long and short forms people use interchangeably.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("centre hospitalier regional universitaire", "chru"),
    ("centre hospitalier universitaire", "chu"),
    ("centre hospitalier regional", "chr"),
    ("centre hospitalier intercommunal", "chi"),
    ("centre hospitalier", "ch"),
    ("groupe hospitalier", "gh"),
    ("docteur", "dr"),
)
_PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l"})
MAX_KEY_WORDS = 9


class Directory(Protocol):
    """What recognition needs from the establishment files."""

    def by_keys(self, keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Institution ids for each name key found."""

    def by_phone(self, number: str) -> tuple[str, ...]:
        """Institution ids whose official number this is."""

    def get(self, inst_id: str) -> Institution | None:
        """One establishment with its contacts."""


def name_variants(folded_name: str) -> set[str]:
    """A folded name in its usual forms: abbreviated or not, with or without particles."""
    out = {folded_name}
    for long, short in ABBREVIATIONS:
        for a, b in ((long, short), (short, long)):
            if folded_name.startswith(a + " "):
                out.add(b + folded_name[len(a):])
    for name in list(out):
        words = name.split()
        trimmed = [w for i, w in enumerate(words) if i == 0 or w not in _PARTICLES]
        if len(trimmed) >= 2:
            out.add(" ".join(trimmed))
    return {k for k in out if 2 <= len(k.split()) <= MAX_KEY_WORDS}


def candidate_keys(words: list[str]) -> list[tuple[int, int, str]]:
    """(first word, end word, key) for every phrase that opens with a trigger word."""
    out: list[tuple[int, int, str]] = []
    trigger_words = {t.split()[0] for t in TRIGGERS}
    for i, word in enumerate(words):
        if word not in trigger_words:
            continue
        for j in range(i + 2, min(len(words), i + MAX_KEY_WORDS) + 1):
            out.append((i, j, " ".join(words[i:j])))
    return out
