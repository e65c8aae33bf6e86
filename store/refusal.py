"""Refusals people read: a request the desk, the registry or the staff accounts cannot carry out.

The sentence is data, French first and English second (store/texts/refusals.toml, one table per
refusal): code names the table and passes the values to put in it. `str()` is the French sentence;
the desk says it in the staff member's language and the command line in English, with `say`.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

TEXTS = Path(__file__).resolve().parent / "texts" / "refusals.toml"
LANGS = ("fr", "en")


@lru_cache(maxsize=1)
def sentences() -> dict[str, dict[str, str]]:
    """Every refusal's sentence in each language, by its key."""
    with open(TEXTS, "rb") as f:
        return tomllib.load(f)


class Refusal(ValueError):
    """A request refused for a reason the person can act on."""

    def __init__(self, key: str, **values: object) -> None:
        if key not in sentences():
            raise KeyError(f"no sentence for the refusal {key!r} in {TEXTS.name}")
        self.key, self.values = key, values
        super().__init__(self.say("fr"))

    def say(self, lang: str = "fr") -> str:
        """The sentence in `lang` (French when that language has none), with its values put in."""
        texts = sentences()[self.key]
        return texts.get(lang if lang in LANGS else "fr", texts["fr"]).format(**self.values)
