"""Scam families as data: one TOML file per family in `nlp/families/`.

A family file defines its cue labels (weight, whether it is a lure, the "never asks" policy it
breaks, its reason texts in French and English) and its span-ruler patterns per language, each
with a unique id and the example texts it must and must not match. Adding a family is one file.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

LANGS = ("fr", "en", "xx")
TEXT_LANGS = ("fr", "en")
FOLDER = "families"


class FamilyError(ValueError):
    """A family file is malformed (the message names the file and the field)."""


@dataclass(frozen=True)
class Label:
    """A cue label: what the decision weighs and the reason text it shows."""

    code: str
    family: str
    weight: float
    lure: bool
    policy: str | None
    reasons: tuple[tuple[str, str], ...]  # (lang, text)

    def reason(self, lang: str) -> str:
        """The reason text in `lang` ("" when missing)."""
        return dict(self.reasons).get(lang, "")


@dataclass(frozen=True)
class Pattern:
    """One span-ruler token pattern with the examples a test runs."""

    id: str
    label: str
    lang: str
    family: str
    tokens: tuple[dict[str, Any], ...]
    match: tuple[str, ...]
    no_match: tuple[str, ...]

    def ruler_pattern(self) -> dict[str, Any]:
        """The pattern as spaCy's span ruler takes it (a fresh, mutable copy)."""
        return {"id": self.id, "label": self.label, "pattern": [_copy(t) for t in self.tokens]}


@dataclass(frozen=True)
class Family:
    """One scam family: its labels and its patterns."""

    name: str
    description: str
    labels: tuple[Label, ...]
    patterns: tuple[Pattern, ...]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _files() -> list[Traversable]:
    folder = resources.files("nlp").joinpath(FOLDER)
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def _parse(name: str, doc: dict[str, Any]) -> Family:
    where = f"nlp/families/{name}.toml"
    labels = []
    for code, spec in doc.get("label", {}).items():
        try:
            labels.append(Label(code, name, float(spec["weight"]), bool(spec.get("lure", False)),
                                spec.get("policy") or None,
                                tuple((lang, spec[lang]) for lang in TEXT_LANGS if lang in spec)))
        except (KeyError, TypeError, ValueError) as exc:
            raise FamilyError(f"{where}: label {code!r} is malformed ({exc})") from None
    if not labels:
        raise FamilyError(f"{where}: defines no [label.<code>]")
    default = labels[0].code if len(labels) == 1 else None
    patterns = []
    for lang in LANGS:
        for spec in doc.get(lang, []):
            label = spec.get("label", default)
            if not spec.get("id") or not spec.get("pattern") or label is None:
                raise FamilyError(f"{where}: a [[{lang}]] pattern lacks its id, pattern or label")
            patterns.append(Pattern(spec["id"], label, lang, name, tuple(spec["pattern"]),
                                    tuple(spec.get("match", ())), tuple(spec.get("no_match", ()))))
    return Family(name, str(doc.get("description", "")), tuple(labels), tuple(patterns))


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """Every family, in file-name order."""
    out = []
    for f in _files():
        try:
            doc = tomllib.loads(f.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise FamilyError(f"nlp/families/{f.name}: {exc}") from None
        out.append(_parse(f.name.removesuffix(".toml"), doc))
    return tuple(out)


def labels() -> dict[str, Label]:
    """Every cue label by code."""
    return {label.code: label for fam in families() for label in fam.labels}


def patterns(lang: str) -> list[dict[str, Any]]:
    """The span-ruler patterns of `lang` ("fr", "en" or "xx"), as spaCy takes them."""
    return [p.ruler_pattern() for fam in families() for p in fam.patterns if p.lang == lang]


def all_patterns() -> list[Pattern]:
    """Every pattern of every language, with its examples."""
    return [p for fam in families() for p in fam.patterns]


def cue_weights() -> dict[str, float]:
    """The weight of each cue label: the chance, on its own, that a message bearing it is a scam."""
    return {code: label.weight for code, label in labels().items()}


def lures() -> frozenset[str]:
    """The labels that are pretexts: what a scam dangles before asking you to act."""
    return frozenset(code for code, label in labels().items() if label.lure)


def policies() -> dict[str, str]:
    """The "never asks" policy each label breaks (labels that break none are left out)."""
    return {code: label.policy for code, label in labels().items() if label.policy}


def reason_texts(lang: str) -> dict[str, str]:
    """The reason text of each label in `lang` ("fr" or "en")."""
    return {code: label.reason(lang) for code, label in labels().items() if label.reason(lang)}


@lru_cache(maxsize=1)
def digest() -> str:
    """sha256 over the family files' names and bytes: changes whenever any family changes."""
    h = hashlib.sha256()
    for f in _files():
        h.update(f.name.encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()
