"""Cross-validation of the whole learned pipeline: grouped by source, or older against newer.

Each fold is judged by a model (text model, combination, thresholds) fitted without it, and the
verdicts are made by `bot.decide.decide` exactly as the engine makes them.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from bot.decide import Decision, decide
from bot.wording import Wording
from vigie.train import SEED, Model, Prepared, fit, folds


def verdicts(model: Model, prep: Prepared, idx: Sequence[int]) -> dict[int, Decision]:
    """The engine's decision for each case, with this model (exactly as `decide` makes it)."""
    out = {}
    for i in idx:
        f = prep.findings[i]
        wording: Wording = model.wording.score(f)
        out[i] = decide(f, prep.index, wording=wording, scorer=model.scorer)
    return out


def cross_validate(prep: Prepared, by: str = "source", *, idx: np.ndarray | None = None,
                   progress: Callable[[str], None] = lambda _: None, split_seed: int | None = None) -> dict[int, Decision]:
    """Grouped cross-validation of the whole pipeline: each fold is judged by a model that never saw it.

    `split_seed` chooses how the sources fall into folds (by source; the training seed by default):
    another seed shows how much the figures owe to one split — compare two models on the same one."""
    idx = np.arange(len(prep.cases)) if idx is None else idx
    out: dict[int, Decision] = {}
    if by == "date":  # train on older, test on newer (the research set, undated, stays in training)
        years = sorted(prep.cases[i].year for i in idx if prep.cases[i].year and prep.cases[i].group != "mendeley")
        cut_year = years[len(years) * 2 // 3] if years else 0
        newer = [i for i in idx if prep.cases[i].group != "mendeley" and prep.cases[i].year >= cut_year]
        train = np.array(sorted(set(idx.tolist()) - set(newer)))
        progress(f"train on messages before {cut_year} ({len(train)}), test on {cut_year} and later ({len(newer)})")
        out.update(verdicts(fit(prep, train), prep, newer))
        return out
    for n, (train, test) in enumerate(folds(prep, idx, by=by, seed=SEED if split_seed is None else split_seed), 1):
        progress(f"fold {n}: train {len(train)}, test {len(test)}")
        out.update(verdicts(fit(prep, train), prep, test))
    return out
