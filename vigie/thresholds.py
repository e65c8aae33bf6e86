"""Where the learned probability turns into a verdict: thresholds chosen per language on
out-of-fold probabilities (vigie/train.py), for the false alarms and the scams let through that
they promise."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from bot.scorer import Thresholds

if TYPE_CHECKING:
    from vigie.train import Prepared

# What the thresholds promise on out-of-fold data (false alarms are counted on genuine messages).
SUSPICIOUS_FA = {"project": 0.05, "mendeley": 0.004}
SCAM_FA = {"project": 0.01, "mendeley": 0.001}
LEGIT_FALLBACK = 0.1
LEGIT_LEAK = 0.05  # share of the scams that could be answered "legitimate" under the cut (out of fold;
# fewer are, since the wording must also lean genuine). Measured by source / by date: at 0.04,
# 4.1 % / 5.5 % of scams called legitimate and 33.5 % / 43.2 % deferral; at 0.06, 4.4 % / 7.3 %
# and 28.3 % / 34.4 %.


def thresholds(prep: Prepared, idx: np.ndarray, probs: np.ndarray) -> dict[str, Thresholds]:
    """Thresholds per language: the model is calibrated differently on French and English."""
    real = np.array([i for i in idx if not prep.cases[i].augmented])
    return {lang: _thresholds_of(prep, np.array([i for i in real if prep.findings[i].lang == lang]), probs)
            for lang in ("fr", "en")}


def _thresholds_of(prep: Prepared, idx: np.ndarray, probs: np.ndarray) -> Thresholds:
    def cut(limits: dict[str, float], probs: np.ndarray = probs) -> float:
        runs = np.atleast_2d(probs)  # one row per out-of-fold split: pooled
        out = 0.5
        for stratum, limit in limits.items():
            rows = [i for i in idx if prep.y[i] == 0 and prep.stratum(i) == stratum]
            legit = np.sort(runs[:, rows].ravel())
            if len(rows) * limit >= 1:  # the lowest threshold that keeps false alarms within the limit
                # (a handful of rows of a population, e.g. research SMS taken for French, is no sample)
                k = int(math.floor(limit * len(legit)))
                out = max(out, float(legit[len(legit) - 1 - k]) + 1e-6 if k < len(legit) else 0.0)
        return min(out, 0.995)

    suspicious = cut(SUSPICIOUS_FA)
    scam = max(cut(SCAM_FA), suspicious)
    rules = max(cut(SUSPICIOUS_FA, prep.rules), 0.5)
    legit = _legit_cut(prep, idx, probs)
    return Thresholds(round(scam, 4), round(suspicious, 4), round(min(legit, suspicious * 0.8), 4), round(rules, 4))


def _legit_cut(prep: Prepared, idx: np.ndarray, probs: np.ndarray) -> float:
    """The highest threshold under which at most LEGIT_LEAK of the project's scams (of the
    language) would be answered "legitimate": a scam called genuine is the worst answer Vigie can
    give. Only the scams that could get that answer count against the cut (those asking for
    money or data, or sending to an unknown contact, never do: bot.decide.could_be_legitimate).
    Counted on the project's messages only — the research set's everyday chat would dilute it."""
    scams = [i for i in idx if prep.y[i] == 1 and prep.stratum(i) == "project"]
    if len(scams) < 20:  # too few to say where scams start
        return LEGIT_FALLBACK
    runs = np.atleast_2d(probs)
    at_risk = np.sort(runs[:, [i for i in scams if prep.eligible[i]]].ravel())
    k = int(math.floor(LEGIT_LEAK * len(scams) * len(runs)))
    return float(at_risk[k]) - 1e-6 if k < len(at_risk) else 1.0
