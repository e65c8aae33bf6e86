"""The learned combination of evidence: a logistic model over what the rules and the text model found.

Each feature is one evidence code (present or not) plus the text model's logit; the weights and
the thresholds are fitted by `vigie train` on the project's corpus (out-of-fold, grouped by
source) and ship in `bot/model/scorer.json` with the figures they were chosen on.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

WORDING = "wording"
LOCAL = "wording_local"  # the text model fitted on the project's own messages only
RULES = "rules"
LOGIT_CLIP = 8.0
# What anyone can forge (an SMS sender ID, an unauthenticated From line) never pulls towards "genuine", whatever
# weight a retrained model gives it: its weight is read as at least 0.
FORGEABLE = frozenset({"sender_unverified"})


def features(codes: Iterable[str], wording_logit: float | None, rules: float | None = None,
             local: float | None = None) -> dict[str, float]:
    """The features of one message (only the non-zero ones): evidence codes, the wording, the rules.

    `rules` is the first version's hand-set noisy-OR of the same evidence: its interactions
    (a lure *with* a contact, pressure *and* an action) are kept as one feature whose weight is fitted.

    The wording's weight may differ by language (`lang:fr` is one of the codes), since the text
    model has seen far more English SMS than French messages. `local` is the logit of the second
    text model, fitted on the project's messages only (institutions' genuine messages and the
    scams that imitate them), where the research SMS set's everyday chat teaches nothing.
    """
    x = {code: 1.0 for code in codes}
    if wording_logit is not None:
        x[WORDING] = max(-LOGIT_CLIP, min(LOGIT_CLIP, wording_logit))
        if "lang:fr" in x:
            x[WORDING + ":fr"] = x[WORDING]
    if local is not None:
        x[LOCAL] = max(-LOGIT_CLIP, min(LOGIT_CLIP, local))
    if rules is not None:
        r = min(max(rules, 1e-4), 1 - 1e-4)
        x[RULES] = max(-LOGIT_CLIP, min(LOGIT_CLIP, math.log(r / (1 - r))))
    return x


@dataclass(frozen=True)
class Thresholds:
    """Where the probability turns into a verdict (chosen on validation data)."""

    scam: float = 0.90
    suspicious: float = 0.50
    legitimate: float = 0.20  # at or below: legitimate, when nothing risky is asked
    rules: float = 1.01  # the hand-set rules alone at or above this: at least suspicious


@dataclass(frozen=True)
class Scorer:
    """Weights per feature, an intercept and thresholds."""

    weights: dict[str, float]
    intercept: float
    thresholds: Thresholds = Thresholds()  # for a language without its own
    meta: dict[str, Any] = field(default_factory=dict)
    by_lang: dict[str, Thresholds] = field(default_factory=dict)

    def cuts(self, lang: str) -> Thresholds:
        """The thresholds for a message in `lang` (the model is calibrated apart per language)."""
        return self.by_lang.get(lang, self.thresholds)

    def contributions(self, codes: Iterable[str], wording_logit: float | None,
                      rules: float | None = None, local: float | None = None) -> dict[str, float]:
        """What each feature adds to the log-odds."""
        return {k: v * (max(self.weights.get(k, 0.0), 0.0) if k in FORGEABLE else self.weights.get(k, 0.0))
                for k, v in features(codes, wording_logit, rules, local).items()}

    def probability(self, codes: Iterable[str], wording_logit: float | None, rules: float | None = None,
                    local: float | None = None) -> float:
        """The calibrated chance that the message is a scam."""
        z = self.intercept + sum(self.contributions(codes, wording_logit, rules, local).values())
        return 1 / (1 + math.exp(-max(-40.0, min(40.0, z))))

    def to_json(self) -> str:
        """The shipped file's content."""
        return json.dumps({"weights": dict(sorted(self.weights.items())), "intercept": self.intercept,
                           "thresholds": self.thresholds.__dict__, "meta": self.meta,
                           "thresholds_by_lang": {k: v.__dict__ for k, v in sorted(self.by_lang.items())}},
                          ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Scorer":
        """Read a scorer file's content."""
        data = json.loads(text)
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                   Thresholds(**data["thresholds"]), data.get("meta", {}),
                   {k: Thresholds(**v) for k, v in data.get("thresholds_by_lang", {}).items()})

    @classmethod
    def load(cls, path: Path | None = None) -> "Scorer":
        """The shipped scorer (or the one at `path`)."""
        source = path or resources.files("bot") / "model" / "scorer.json"
        return cls.from_json(source.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def shipped() -> Scorer | None:
    """The scorer that ships with the package (None before the first `vigie train`)."""
    try:
        return Scorer.load()
    except FileNotFoundError:
        return None
