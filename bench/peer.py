"""The research-paper peer, measured side by side: TF-IDF + logistic regression trained on the
English set (Mendeley even rows), tested on its odd rows and on the project's own corpus.

Run by hand: `.venv/bin/python bench/peer.py [path/to/en-smishing-mendeley.csv]`.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from vigie import corpus  # noqa: E402

LABELS = {"ham": 0, "smishing": 1}


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/en-smishing-mendeley.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(n, r["message"], LABELS[r["original_label"]]) for n, r in enumerate(csv.DictReader(fh))
                if r["original_label"] in LABELS]
    train = [r for r in rows if r[0] % 2 == 0]
    test = [r for r in rows if r[0] % 2 == 1]
    vec = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True)
    model = LogisticRegression(max_iter=1000, C=10, random_state=0)
    model.fit(vec.fit_transform([t for _, t, _ in train]), [y for _, _, y in train])

    def figures(texts: list[str], labels: list[int]) -> str:
        pred = model.predict(vec.transform(texts))
        scams = [p for p, y in zip(pred, labels) if y == 1]
        legit = [p for p, y in zip(pred, labels) if y == 0]
        return (f"detection {sum(scams) / max(1, len(scams)):.1%} ({sum(scams)}/{len(scams)}), "
                f"false alarms {sum(legit) / max(1, len(legit)):.2%} ({sum(legit)}/{len(legit)})")

    print("Mendeley odd rows:", figures([t for _, t, _ in test], [y for _, _, y in test]))
    project = [c for c in corpus.load_all() if c.group != "mendeley" and not c.augmented]
    for lang in ("fr", "en"):
        part = [c for c in project if c.lang == lang]
        print(f"project corpus ({lang}):", figures([c.text for c in part], [int(c.label == "scam") for c in part]))


if __name__ == "__main__":
    main()
