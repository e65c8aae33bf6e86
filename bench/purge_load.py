"""The retention purge under a bounded load: another process stores a report every 50 ms while the purge runs
(as the web and the worker are separate processes in production), and each report's wait is measured.
Used by `bench/desk.py --purge`; `report_load` also drives tests/store/test_purge_shares_the_lock.py."""
from __future__ import annotations

import multiprocessing
import statistics
import time

from config.settings import Settings
from store import clock


def _reports(path: str, stop, out) -> None:
    """The webhook side, in its own process as in production (Procfile: `web` and `worker` are separate processes,
    so the purge's Python work and garbage collection never hold this side's interpreter): store a report every
    50 ms until told to stop, then send back each report's wait."""
    from store.db import connect  # noqa: PLC0415
    out.send(report_load(connect(path), stop, 0.05))


def report_load(writer, stop, interval: float) -> list[float]:
    """Store a report every `interval` seconds on `writer` until `stop` is set: how long each one waited."""
    from store import cases  # noqa: PLC0415
    waits, n = [], 0
    while not stop.is_set():
        n += 1
        t = time.perf_counter()
        cases.record(writer, "sms", f"load-{n}", "ok", cases.NewCase(text="charge", status="answered"))
        waits.append(time.perf_counter() - t)
        stop.wait(interval)
    return waits


def purge_under_load(settings: Settings, retention_days: int) -> dict[str, float]:
    """The retention purge while another process stores a report every 50 ms, as the intake does: how long the
    purge took, in how many batches, the longest a batch held the write lock and the waits of the reports."""
    from store import maintenance  # noqa: PLC0415
    from store.db import connect  # noqa: PLC0415
    db = connect(settings.db_path)
    old = db.execute("SELECT count(*) FROM cases WHERE received_at < ?",
                     [clock.ago(clock.now(), days=retention_days)]).fetchone()[0]
    spawn = multiprocessing.get_context("spawn")
    stop, (mine, theirs) = spawn.Event(), spawn.Pipe(duplex=False)
    load = spawn.Process(target=_reports, args=(str(settings.db_path), stop, theirs))
    load.start()
    time.sleep(2)  # the other process has imported and stored its first reports
    t = time.perf_counter()
    job = maintenance.Purge(retention_days)
    job.run(db)
    seconds = time.perf_counter() - t
    stop.set()
    waits = mine.recv()
    load.join()
    found = {"cases": job.counts["cases"], "old": old, "seconds": seconds, "batches": job.batches,
             "longest_batch_ms": job.longest * 1000, "reports": len(waits), "worst_ms": max(waits) * 1000,
             "p99_ms": statistics.quantiles(waits, n=100, method="inclusive")[-1] * 1000,
             "median_ms": statistics.median(waits) * 1000,
             "over_200": sum(w > 0.2 for w in waits)}
    print(f"purge of {found['cases']} old cases (of {old}) in {seconds:.0f} s, {job.batches} batches (longest held"
          f" the lock {found['longest_batch_ms']:.0f} ms) while {len(waits)} reports arrived: worst wait"
          f" {found['worst_ms']:.0f} ms, p99 {found['p99_ms']:.0f} ms, median {found['median_ms']:.1f} ms,"
          f" {found['over_200']} over 200 ms")
    return found
