"""Engine benchmark (run by hand): cold start, memory, messages/s and per-message p50/p99.

    .venv/bin/python bench/engine.py [--db PATH] [--repeat N]

Messages: ../shared/corpus/dev.jsonl and the Mendeley CSV when present, else tests/data/golden.jsonl.
Runs on one core (one process, one thread).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "corpus"


def _messages() -> list[str]:
    texts: list[str] = []
    if (SHARED / "dev.jsonl").exists():
        texts += [json.loads(line)["text"] for line in (SHARED / "dev.jsonl").open(encoding="utf-8")]
        with (SHARED / "en-smishing-mendeley.csv").open(encoding="utf-8", newline="") as fh:
            texts += [row["message"] for row in csv.DictReader(fh)][:2000]
    else:
        golden = ROOT / "tests" / "data" / "golden.jsonl"
        texts += [json.loads(line)["text"] for line in golden.open(encoding="utf-8") if line.strip()]
    return texts


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_messages(db_path: str | os.PathLike[str], repeat: int = 3) -> dict[str, float]:
    """Load the engine over the registry at `db_path` and time every message."""
    from bot.report import Report
    from service.engine import build_triage, prepare_db

    rss_before = _rss_mb()
    start = time.perf_counter()
    triage = build_triage(prepare_db(Path(db_path)))
    triage.check(Report("warm-up"))
    cold = time.perf_counter() - start
    rss_loaded = _rss_mb()
    texts = _messages()
    times = []
    t0 = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            s = time.perf_counter()
            triage.check(Report(text, "sms"))
            times.append((time.perf_counter() - s) * 1000)
    total = time.perf_counter() - t0
    times.sort()
    return {
        "messages": len(times), "cold_start_s": round(cold, 2),
        "engine_rss_mb": round(rss_loaded, 1), "engine_rss_delta_mb": round(rss_loaded - rss_before, 1),
        "messages_per_s": round(len(times) / total, 1),
        "p50_ms": round(statistics.median(times), 3), "p99_ms": round(times[int(len(times) * 0.99)], 3),
        "max_ms": round(times[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing registry database (default: a fresh one)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as tmp:
        result = run_messages(args.db or Path(tmp) / "bench.sqlite3", args.repeat)
    for key, value in result.items():
        print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
