"""Memory of the Procfile's processes together (run by hand, loopback only, bounded).

    .venv/bin/python bench/memory.py [--messages 1000] [--no-preload]

Starts `web` as the Procfile does (gunicorn --preload -w 2 'vigie.app:create_app()') and `worker`
(`vigie worker`) on one temporary database, sends `--messages` signed Twilio SMS to 127.0.0.1, lets
the worker make a pass, then reads each process's PSS from /proc/PID/smaps_rollup (a page shared by
several processes counts once, split between them) and prints the total. Target: <= 512 MB.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.webhooks import ROOT, drive, free_port, plan, start_gunicorn, wait_healthy  # noqa: E402

LIMIT_MB = 512


def rollup(pid: int) -> dict[str, int]:
    """Pss and Rss of one process in kB (/proc/PID/smaps_rollup)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Pss", "Rss"):
            out[key] = int(rest.split()[0])
    return out


def children(pid: int) -> list[int]:
    """Direct children of `pid` (the gunicorn workers of the master)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def start_worker(db: Path) -> subprocess.Popen:
    """`vigie worker` on the same database (no provider configured: it only claims, purges, groups)."""
    env = {**os.environ, "VIGIE_DB": str(db), "SECRET_KEY": "bench", "VIGIE_DATA_KEY": "bench"}
    vigie = Path(sys.executable).with_name("vigie")
    return subprocess.Popen([str(vigie), "worker"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--no-preload", action="store_true", help="each gunicorn worker loads its own engine")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, port = Path(tmp) / "memory.sqlite3", free_port()
        web = start_gunicorn(port, db, preload=not args.no_preload)
        worker = None
        try:
            wait_healthy(f"http://127.0.0.1:{port}", web)
            worker = start_worker(db)
            latencies, errors, sent = drive(port, plan(args.messages), threads=2, seconds=300)
            time.sleep(5)  # one worker pass (every 2 s) over what came in
            processes = {"web master": web.pid, **{f"web worker {i + 1}": pid
                                                    for i, pid in enumerate(children(web.pid))}, "worker": worker.pid}
            figures = {name: rollup(pid) for name, pid in processes.items()}
        finally:
            for proc in (web, worker):
                if proc is not None:
                    proc.terminate()
                    proc.wait(timeout=30)
    print(f"{len(latencies)} messages sent ({errors} errors), gunicorn {'without' if args.no_preload else 'with'}"
          " --preload -w 2, plus `vigie worker`")
    for name, fig in figures.items():
        print(f"  {name:13s} PSS {fig['Pss'] / 1024:6.1f} MB   RSS {fig['Rss'] / 1024:6.1f} MB")
    total = sum(fig["Pss"] for fig in figures.values()) / 1024
    print(f"total PSS {total:.1f} MB (RSS summed {sum(f['Rss'] for f in figures.values()) / 1024:.1f} MB);"
          f" target <= {LIMIT_MB} MB: {'met' if total <= LIMIT_MB else 'NOT met'}")


if __name__ == "__main__":
    main()
