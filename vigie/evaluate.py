"""`vigie eval`: detection, false alarms, deferrals and latency on a labelled corpus."""
from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.report import Report
from vigie.corpus import Case, CorpusError, load  # noqa: F401 - the corpus reader `vigie eval` uses

FLAGGED = ("scam", "suspicious")
VERDICT_ORDER = ("scam", "suspicious", "legitimate", "unknown")


@dataclass
class Result:
    """Each case with the verdict it got (and its reasons and time when measured)."""

    rows: list[tuple[Case, str, float]] = field(default_factory=list)  # case, verdict, ms
    reasons: dict[int, list[str]] = field(default_factory=dict)  # row number → reason codes
    evasions: "Result | None" = None  # cross-validation: the evasion variants, judged apart

    def add(self, case: Case, verdict: str, ms: float = 0.0, reasons: list[str] | None = None) -> None:
        """Record one judged case."""
        if reasons is not None:
            self.reasons[len(self.rows)] = reasons
        self.rows.append((case, verdict, ms))

    def summary(self) -> dict[str, Any]:
        """The figures of DESIGN.md's `vigie eval --json`, with the confusion matrix."""
        scams = [v for c, v, _ in self.rows if c.label == "scam"]
        legit = [v for c, v, _ in self.rows if c.label == "legit"]
        times = sorted(ms for _, _, ms in self.rows)
        return {
            "n": len(self.rows),
            "detection_rate": _share(sum(v in FLAGGED for v in scams), len(scams)),
            "false_alarm_rate": _share(sum(v in FLAGGED for v in legit), len(legit)),
            "deferral_rate": _share(sum(v == "unknown" for _, v, _ in self.rows), len(self.rows)),
            "p50_ms": round(statistics.median(times), 2) if times else 0.0,
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2) if times else 0.0,
            "confusion": self.confusion(),
        }

    def confusion(self) -> dict[str, dict[str, int]]:
        """Label → verdict → count."""
        out = {label: dict.fromkeys(VERDICT_ORDER, 0) for label in ("scam", "legit")}
        for case, verdict, _ in self.rows:
            out[case.label][verdict] += 1
        return out

    def by(self, key: str) -> dict[str, dict[str, Any]]:
        """Detection, false alarms and deferral per value of a case attribute (family, group, lang, year)."""
        groups: dict[str, Result] = {}
        for case, verdict, ms in self.rows:
            groups.setdefault(str(getattr(case, key) or "?"), Result()).rows.append((case, verdict, ms))
        return {k: {m: v for m, v in r.summary().items() if m not in ("p50_ms", "p99_ms", "confusion")}
                | {"scams": sum(c.label == "scam" for c, _, _ in r.rows),
                   "genuine": sum(c.label == "legit" for c, _, _ in r.rows)}
                for k, r in sorted(groups.items())}

    def misses(self) -> list[dict[str, Any]]:
        """Every wrongly judged message: a scam not flagged, a genuine one flagged or deferred."""
        out = []
        for n, (case, verdict, _) in enumerate(self.rows):
            wrong = (verdict not in FLAGGED) if case.label == "scam" else verdict != "legitimate"
            if wrong:
                out.append({"id": case.id, "label": case.label, "verdict": verdict, "family": case.family,
                            "source": case.source, "reasons": self.reasons.get(n, []), "text": case.text[:300]})
        return out

    def table(self) -> str:
        """A readable table: the summary, then verdict counts per label."""
        s = self.summary()
        lines = [f"{k:>17}: {v}" for k, v in s.items() if k != "confusion"]
        lines.append("")
        lines.append(f"{'label':>8} {'scam':>6} {'susp.':>6} {'legit.':>6} {'unknown':>8}")
        for label, counts in s["confusion"].items():
            n = [counts[v] for v in VERDICT_ORDER]
            lines.append(f"{label:>8} " + " ".join(f"{x:>6}" for x in n[:3]) + f" {n[3]:>8}")
        return "\n".join(lines)


def family_table(result: Result) -> str:
    """Markdown table of the figures per scam family (scams) and per genuine family."""
    lines = ["| family | scams | detected | genuine | false alarms | unknown |", "|---|---|---|---|---|---|"]
    for fam, s in result.by("family").items():
        lines.append(f"| {fam} | {s['scams']} | {s['detection_rate']:.0%} | {s['genuine']} | "
                     f"{s['false_alarm_rate']:.0%} | {s['deferral_rate']:.0%} |")
    return "\n".join(lines)


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def run(triage: Any, cases: list[Case]) -> Result:
    """Check every case, timing each one."""
    result = Result()
    for case in cases:
        start = time.perf_counter()
        verdict = triage.check(Report(text=case.text, channel=case.channel, sender=case.sender))
        result.add(case, verdict.verdict, (time.perf_counter() - start) * 1000,
                   [r.code for r in verdict.reasons])
    return result

