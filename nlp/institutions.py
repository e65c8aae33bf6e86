"""Recognise the institution a message claims to be: exact names (Aho-Corasick) and small typos."""
from __future__ import annotations

from typing import Callable

from nlp.directory import candidate_keys
from nlp.domains import near
from nlp.registry_index import RegistryIndex
from nlp.text import fold_compact, fold_with_offsets
from nlp.types import InstitutionMatch

_MAX_FUZZY_TOKENS = 400  # bounded work on long e-mails


def recognise(text: str, index: RegistryIndex,
              is_word: Callable[[str], bool] = lambda _: False) -> list[InstitutionMatch]:
    """Institutions named in `text`, best (longest, exact) first. `is_word` tells a dictionary word,
    which is never taken for a misspelt brand."""
    folded, offsets = fold_with_offsets(text)
    if not folded:
        return []
    matches = _exact(folded, offsets, index)
    taken = [m.span for m in matches]
    matches += [m for m in _establishments(folded, offsets, index) if not _overlaps(m.span, taken)]
    taken = [m.span for m in matches]
    matches += [m for m in _fuzzy(folded, offsets, index, is_word) if not _overlaps(m.span, taken)]
    matches.sort(key=lambda m: (-m.score, -(m.span[1] - m.span[0]), m.span[0]))
    seen: set[str] = set()
    unique = []
    for m in matches:
        if m.id not in seen:
            seen.add(m.id)
            unique.append(m)
    return unique


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


def _exact(folded: str, offsets: list[int], index: RegistryIndex) -> list[InstitutionMatch]:
    if index.names is None:
        return []
    found: list[tuple[int, int, str, set[str]]] = []
    for end, (key, ids) in index.names.iter(folded):
        start = end - len(key) + 1
        if (start > 0 and folded[start - 1] != " ") or (end + 1 < len(folded) and folded[end + 1] != " "):
            continue  # not on word boundaries
        found.append((start, end + 1, key, ids))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))  # longest first
    out: list[InstitutionMatch] = []
    spans: list[tuple[int, int]] = []
    for start, end, _key, ids in found:
        if _overlaps((start, end), spans):
            continue
        spans.append((start, end))
        span = (offsets[start], offsets[end - 1] + 1)
        chosen, others = _disambiguate(sorted(ids), folded, index)
        out.append(InstitutionMatch(chosen, index.institutions[chosen].name, span, 100.0, others))
    return out


def _establishments(folded: str, offsets: list[int], index: RegistryIndex) -> list[InstitutionMatch]:
    """Establishments of the directory named by their usual forms ("CH de X", "Dr X")."""
    if index.directory is None:
        return []
    words = folded.split(" ")
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    candidates = candidate_keys(words[:2000])
    found = index.directory.by_keys(key for _, _, key in candidates)
    out: list[InstitutionMatch] = []
    spans: list[tuple[int, int]] = []
    for i, j, key in sorted(candidates, key=lambda c: c[0] - c[1]):  # longest first
        ids = found.get(key)
        if not ids:
            continue
        start, end = starts[i], starts[j - 1] + len(words[j - 1])
        if _overlaps((start, end), spans):
            continue
        chosen, others = _disambiguate(list(ids), folded, index)
        inst = index.get(chosen)
        if inst is None:
            continue
        spans.append((start, end))
        out.append(InstitutionMatch(chosen, inst.name, (offsets[start], offsets[end - 1] + 1), 95.0, others))
    return out


def _disambiguate(ids: list[str], folded: str, index: RegistryIndex) -> tuple[str, tuple[str, ...]]:
    """Pick the establishment whose town or department the message names; else stay ambiguous."""
    if len(ids) == 1:
        return ids[0], ()
    padded = f" {folded} "
    insts = {i: index.get(i) for i in ids[:50]}
    located = [i for i, inst in insts.items() if inst and inst.town
               and f" {fold_compact(inst.town)} " in padded]
    if len(located) == 1:
        return located[0], ()
    pool = located or ids
    return pool[0], tuple(pool[1:])


def _fuzzy(folded: str, offsets: list[int], index: RegistryIndex,
           is_word: Callable[[str], bool]) -> list[InstitutionMatch]:
    """Single-word brands with a small misspelling ("amelli", "doctolibe"); a French or English
    dictionary word is no misspelling ("government" is not the French "gouvernement")."""
    out: list[InstitutionMatch] = []
    pos = 0
    for n, word in enumerate(folded.split(" ")):
        if n >= _MAX_FUZZY_TOKENS:
            break
        start, pos = pos, pos + len(word) + 1
        if len(word) < 6 or word in index.brands or is_word(word):
            continue
        for brand, ids in index.brands.items():
            if len(brand) >= 6 and near(word, brand):
                inst = min(ids)
                span = (offsets[start], offsets[start + len(word) - 1] + 1)
                out.append(InstitutionMatch(inst, index.institutions[inst].name, span, 80.0))
                break
    return out
