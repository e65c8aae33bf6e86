"""Registry bench: import a generated 100,000-establishment FINESS file and a 1M-line Annuaire file.

Prints rows/s, peak memory and the longest write lock (one batch) per import, then runs
bench/engine.py's `run_messages` on the filled registry when that function exists.
Targets: FINESS <= 30 s, Annuaire <= 5 min.
"""
from __future__ import annotations

import argparse
import subprocess
import io
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from bench.gen_registry import write_annuaire, write_finess  # noqa: E402
from store.annuaire import import_annuaire  # noqa: E402
from store.db import get_db  # noqa: E402
from store.finess import import_finess  # noqa: E402


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, target: float, run: Callable[[], Any], lines: int) -> None:
    """Run one import and print its figures."""
    start = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - start
    verdict = "ok" if seconds <= target else "OVER TARGET"
    print(f"{label}: {lines:,} lines, {report.rows:,} entries in {seconds:.1f} s "
          f"({lines / seconds:,.0f} lines/s), peak RSS {peak_mb():.0f} MB, target {target:.0f} s: {verdict}")
    print(f"  {report.summary()}")
    print(f"  applied in {report.batches:,} write transactions; the longest held the write lock "
          f"{report.longest_lock * 1000:.0f} ms")


def run_engine(db_path: Path) -> None:
    """Run bench/engine.py in a fresh process over the full registry, then over the seed alone.

    A fresh process, so that the engine's memory is not the importer's high-water mark.
    """
    engine = ROOT / "bench" / "engine.py"
    for label, args in (("full registry", ["--db", str(db_path)]), ("seed registry only", [])):
        out = subprocess.run([sys.executable, str(engine), *args], capture_output=True, text=True, check=False)
        print(f"engine, {label}:")
        print(out.stdout.rstrip() or out.stderr.strip()[-2000:])


def main() -> None:
    """Generate, import, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=100_000)
    parser.add_argument("--annuaire-lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        finess = write_finess(folder / "etalab-cs1100502-stock-20260512-0339.csv", args.establishments)
        annuaire = write_annuaire(folder / "PS_LibreAcces_Personne_activite_202610080830.txt", args.annuaire_lines)
        print(f"generated {finess.stat().st_size / 1e6:.0f} MB + {annuaire.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - start:.0f} s; peak RSS {peak_mb():.0f} MB")
        db_path = folder / "vigie.sqlite3"
        db = get_db(db_path)
        quiet = io.StringIO()
        timed("FINESS import", 30, lambda: import_finess(db, finess, progress=quiet), args.establishments + 1)
        timed("FINESS re-import", 30, lambda: import_finess(db, finess, progress=quiet), args.establishments + 1)
        timed("Annuaire import", 300, lambda: import_annuaire(db, annuaire, progress=quiet), args.annuaire_lines + 1)
        db.conn.close()
        run_engine(db_path)


if __name__ == "__main__":
    main()
