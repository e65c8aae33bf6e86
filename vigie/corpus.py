"""The project's own labelled corpus (`nlp/corpus/`): real messages, each with its source and date.

Every JSONL file there holds rows `{id, label, channel, lang, family?, theme?, sender, text,
source, published, origin?}`; `en-mendeley-even.csv` holds the even-numbered rows of the
Mishra & Soni set (the odd-numbered ones stay out, for testing). Rows marked `"augmented": true`
(evasion variants of real messages) are kept out of every figure reported as real.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bot.report import CHANNELS

CORPUS_DIR = Path(__file__).resolve().parent.parent / "nlp" / "corpus"
MENDELEY = "en-mendeley-even.csv"
MENDELEY_SOURCE = "https://data.mendeley.com/datasets/f45bkkt8pr/1"
_CSV_LABELS = {"smishing": "scam", "phishing": "scam", "scam": "scam", "ham": "legit",
               "benign": "legit", "legit": "legit"}


class CorpusError(ValueError):
    """A corpus file is malformed."""


@dataclass(frozen=True)
class Case:
    """One labelled message."""

    text: str
    label: str  # scam | legit
    channel: str = "sms"
    sender: str | None = None
    id: str = ""
    lang: str = ""
    family: str = ""
    source: str = ""
    published: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    augmented: bool = False

    @property
    def group(self) -> str:
        """The source a case is grouped by in cross-validation: the quoting site."""
        if self.source == MENDELEY_SOURCE:
            return "mendeley"
        parts = urlsplit(self.source)
        host = (parts.hostname or self.source or self.id).removeprefix("www.")
        if host == "github.com":  # one repository is one source, not all of GitHub
            return "github.com/" + "/".join(parts.path.strip("/").split("/")[:2]).lower()
        return host

    @property
    def kind(self) -> str:
        """For an evasion variant, how it was made ("" for a real message)."""
        return self.id.rsplit("~", 1)[1] if self.augmented and "~" in self.id else ""

    @property
    def year(self) -> int:
        """The year the message was sent or quoted (0 when unknown)."""
        head = (self.published or "")[:4]
        return int(head) if head.isdigit() else 0


def load(path: Path) -> list[Case]:
    """Cases from a JSONL corpus ({text, label, channel?, sender?, ...}) or a labelled CSV."""
    if path.suffix.lower() == ".csv":
        return list(_load_csv(path))
    with path.open(encoding="utf-8") as fh:
        return [case for n, line in enumerate(fh, 1) if line.strip() for case in [_row(path, n, line)]]


def _row(path: Path, n: int, line: str) -> Case:
    try:
        row = json.loads(line)
        label, text = row["label"], row["text"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorpusError(f"{path}:{n}: not a corpus line ({exc})") from None
    if label not in ("scam", "legit"):
        raise CorpusError(f"{path}:{n}: label must be 'scam' or 'legit', got {label!r}")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{path}:{n}: empty text")
    channel = row.get("channel") if row.get("channel") in CHANNELS else "sms"
    return Case(text, label, channel, row.get("sender") or None, str(row.get("id", n)),
                lang=row.get("lang") or "", family=row.get("family") or row.get("theme") or "",
                source=row.get("source") or "", published=str(row.get("published") or ""),
                augmented=bool(row.get("augmented")))


def _load_csv(path: Path) -> Iterator[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "message" not in reader.fieldnames:
            raise CorpusError(f"{path}: a CSV corpus needs a 'message' column")
        for n, row in enumerate(reader, 2):
            raw = (row.get("original_label") or row.get("label") or "").strip().lower()
            label = _CSV_LABELS.get(raw)
            if label is None:  # commercial spam is neither smishing nor legitimate
                continue
            yield Case(row["message"], label, "sms", None, f"mendeley-{row.get('source_id', n)}",
                       lang="en", family="smishing" if label == "scam" else "everyday",
                       source=MENDELEY_SOURCE, published="2022")


def corpus_files(folder: Path = CORPUS_DIR) -> list[Path]:
    """The corpus files, in a stable order."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".jsonl", ".csv"))


def load_all(folder: Path = CORPUS_DIR, *, evasions: bool = False) -> list[Case]:
    """Every case of the project's corpus, duplicates (same text) kept once; with `evasions`,
    plus one evasion variant of each real scam (vigie/augment.py), marked `augmented`."""
    seen: set[str] = set()
    out = []
    for path in corpus_files(folder):
        for case in load(path):
            key = " ".join(case.text.lower().split())
            if key not in seen:
                seen.add(key)
                out.append(case)
    if evasions:
        from vigie.augment import variants  # noqa: PLC0415 - augment imports this module

        out += variants(out)
    return out


def digest(folder: Path = CORPUS_DIR) -> str:
    """A hash of the corpus files' names and bytes: what the shipped model was trained on."""
    h = hashlib.sha256()
    for path in [*corpus_files(folder), Path(__file__).with_name("augment.py")]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def real(cases: Iterable[Case]) -> list[Case]:
    """The cases that are real messages (no augmented variants)."""
    return [c for c in cases if not c.augmented]
