"""The learned combination of the evidence: a logistic regression over the evidence codes, the text
models' logits and the rules' noisy-OR, each weight held to the sign of what it means.

The signs are bounds of one fit (L-BFGS-B on scikit-learn's objective): a weight that would cross zero
stays at zero. Dropping such features and refitting, as before, was not continuous in the data: three
genuine messages changing one code dropped "call to action" (weight 0.38) from the model and moved the
research set's detection by 1.5 points."""
from __future__ import annotations

import numpy as np
from scipy import optimize
from scipy.special import expit

from bot.scorer import Scorer

COMBINER_C = 1.0

# Signs fixed by what the evidence means, so that the fit cannot learn an artefact of the corpus
# (a lookalike domain or copied advice that "looks genuine" because few examples had one).
LEGIT_FEATURES = frozenset({"sender_official", "link_official", "link_government", "phone_official", "advice"})
FREE_FEATURES = frozenset({"lang:fr", "wording:fr"})
NEUTRAL_FEATURES = frozenset({"sender_unverified"})  # anyone can forge it: it must weigh nothing


def fit(rows: list[dict[str, float]], y: np.ndarray, sample_weight: np.ndarray) -> Scorer:
    """The combination of the feature rows (`bot.scorer.features`), labels True for a scam."""
    vocab = sorted({k for row in rows for k in row} - NEUTRAL_FEATURES)
    col = {k: j for j, k in enumerate(vocab)}
    m = np.zeros((len(rows), len(vocab)))
    for r, row in enumerate(rows):
        for k, v in row.items():
            if k in col:
                m[r, col[k]] = v
    signs = [0 if k in FREE_FEATURES else -1 if k in LEGIT_FEATURES else 1 for k in vocab]
    w, b = bounded_logistic(m, y, sample_weight, signs, COMBINER_C)
    weights = {k: round(float(x), 5) for k, x in zip(vocab, w) if round(float(x), 5) != 0.0}
    return Scorer(weights, round(b, 5))


def bounded_logistic(m: np.ndarray, y: np.ndarray, sw: np.ndarray, signs: list[int],
                     c: float) -> tuple[np.ndarray, float]:
    """Weights and intercept of the L2-penalised logistic regression `c * sum(sw * logloss) + |w|^2 / 2`
    (scikit-learn's objective), each weight held to its sign (+1: >= 0, -1: <= 0, 0: free)."""
    t = np.where(y, 1.0, -1.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        margin = t * (m @ w + b)
        grad_margin = -sw * t * expit(-margin)  # d/dz of sw * log(1 + exp(-t z))
        value = c * float(np.sum(sw * np.logaddexp(0.0, -margin))) + 0.5 * float(w @ w)
        return value, np.append(c * (m.T @ grad_margin) + w, c * grad_margin.sum())

    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    fitted = optimize.minimize(loss, np.zeros(m.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                               options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-9})  # to the optimum, not near it
    return fitted.x[:-1], float(fitted.x[-1])

