"""`vigie eval`: detection, false alarms, deferrals and latency on a labelled corpus."""
from __future__ import annotations

import csv
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bot.report import CHANNELS, Report

_CSV_LABELS = {"smishing": "scam", "phishing": "scam", "scam": "scam", "ham": "legit",
               "benign": "legit", "legit": "legit"}


class CorpusError(ValueError):
    """A corpus file is malformed."""


@dataclass(frozen=True)
class Case:
    text: str
    label: str  # scam | legit
    channel: str = "sms"
    sender: str | None = None
    id: str = ""


@dataclass
class Result:
    rows: list[tuple[Case, str, float]] = field(default_factory=list)  # case, verdict, ms

    def summary(self) -> dict[str, Any]:
        """The figures of DESIGN.md's `vigie eval --json`."""
        scams = [v for c, v, _ in self.rows if c.label == "scam"]
        legit = [v for c, v, _ in self.rows if c.label == "legit"]
        flagged = ("scam", "suspicious")
        times = sorted(ms for _, _, ms in self.rows)
        return {
            "n": len(self.rows),
            "detection_rate": _share(sum(v in flagged for v in scams), len(scams)),
            "false_alarm_rate": _share(sum(v in flagged for v in legit), len(legit)),
            "deferral_rate": _share(sum(v == "unknown" for _, v, _ in self.rows), len(self.rows)),
            "p50_ms": round(statistics.median(times), 2) if times else 0.0,
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2) if times else 0.0,
        }

    def table(self) -> str:
        """A readable table: the summary, then verdict counts per label."""
        s = self.summary()
        lines = [f"{k:>17}: {v}" for k, v in s.items()]
        lines.append("")
        lines.append(f"{'label':>8} {'scam':>6} {'susp.':>6} {'legit.':>6} {'unknown':>8}")
        for label in ("scam", "legit"):
            verdicts = [v for c, v, _ in self.rows if c.label == label]
            counts = [verdicts.count(v) for v in ("scam", "suspicious", "legitimate", "unknown")]
            lines.append(f"{label:>8} " + " ".join(f"{n:>6}" for n in counts[:3]) + f" {counts[3]:>8}")
        return "\n".join(lines)


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def load(path: Path) -> list[Case]:
    """Cases from a JSONL corpus ({text, label, channel?, sender?}) or a labelled CSV."""
    if path.suffix.lower() == ".csv":
        return list(_load_csv(path))
    cases = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                label = row["label"]
                text = row["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path}:{n}: not a corpus line ({exc})") from None
            if label not in ("scam", "legit"):
                raise CorpusError(f"{path}:{n}: label must be 'scam' or 'legit', got {label!r}")
            channel = row.get("channel") if row.get("channel") in CHANNELS else "sms"
            cases.append(Case(text, label, channel, row.get("sender"), str(row.get("id", n))))
    return cases


def _load_csv(path: Path) -> Iterable[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "message" not in reader.fieldnames:
            raise CorpusError(f"{path}: a CSV corpus needs a 'message' column")
        for n, row in enumerate(reader, 2):
            raw = (row.get("original_label") or row.get("label") or "").strip().lower()
            label = _CSV_LABELS.get(raw)
            if label is None:  # commercial spam is neither smishing nor legitimate
                continue
            yield Case(row["message"], label, "sms", None, str(n))


def run(triage: Any, cases: list[Case]) -> Result:
    """Check every case, timing each one."""
    result = Result()
    for case in cases:
        start = time.perf_counter()
        verdict = triage.check(Report(text=case.text, channel=case.channel, sender=case.sender))
        result.rows.append((case, verdict.verdict, (time.perf_counter() - start) * 1000))
    return result
