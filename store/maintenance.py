"""Backup (SQLite online backup) and retention purge."""
from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from store import clock, erase
from store.db import StoreError, immediate


def backup(db: Database, target: Path) -> Path:
    """Copy the live database to `target` with SQLite's online backup API; only the owner can read the copy."""
    target = Path(target)
    if target.exists():
        raise StoreError(f"backup target {target} already exists")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Created empty with mode 0600 before a byte is written (SQLite keeps that mode for its journal).
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        dest = sqlite3.connect(str(target))
        with dest:
            db.conn.backup(dest)
        dest.close()
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"backup to {target} failed: {exc}") from exc
    return target


# The purge deletes in batches, each its own short write transaction, so that webhooks and the desk wait at most
# one batch (~200 ms) for the write lock; the batch size adapts to keep each one near BATCH_SECONDS.
BATCH_SECONDS = 0.1
# Between batches the lock is left free this long: SQLite's busy handler sleeps up to 100 ms between tries, so a
# shorter gap lets the purge take the lock again before a waiting webhook looks (measured: 1.9 s waits without).
PAUSE_SECONDS = 0.1
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 200, 10, 5000


def purge(db: Database, retention_days: int, when: datetime | None = None,
          batch_seconds: float = BATCH_SECONDS, pause: float = PAUSE_SECONDS) -> dict[str, int]:
    """Delete what is older than the retention period, and expired conversations; return counts.

    Cases go oldest first, a batch at a time, each with what derives only from it (texts, indicators, notices,
    counts) in the same transaction: a failure leaves every batch either whole or untouched."""
    moment = when or clock.now()
    cutoff, stamp = clock.ago(moment, days=retention_days), clock.iso(moment)
    steps = (
        ("inbound", "inbound WHERE received_at < ?", cutoff),
        ("outbox", "outbox WHERE created_at < ?", cutoff),
        ("conversation", "conversation WHERE expires_at <= ?", stamp),
        ("seen_tokens", "seen_tokens WHERE seen_at < ?", clock.ago(moment, days=1)),
        ("reporters", "reporters WHERE last_seen_at < ? AND NOT EXISTS"
                      " (SELECT 1 FROM cases c WHERE c.reporter = reporters.pseudonym)", cutoff),
    )
    erase.scrubbing(db)  # what the purge deletes is zeroed in the file, not only unlinked
    counts: dict[str, int] = {}
    size = FIRST_BATCH
    while True:
        started = time.perf_counter()
        with immediate(db):
            old = [r[0] for r in db.execute("SELECT id FROM cases WHERE received_at < ? ORDER BY received_at"
                                            " LIMIT ?", [cutoff, size])]
            for name, n in erase.erase_cases(db, old).items():
                counts[name] = counts.get(name, 0) + n
        size = _next_size(size, time.perf_counter() - started, batch_seconds)
        if len(old) == 0:
            break
        time.sleep(pause)
    for name, rows, arg in steps:
        counts[name] = counts.get(name, 0)
        while True:
            started = time.perf_counter()
            limit = size * 10  # rows of these tables are small: ten per case
            with immediate(db):
                done = db.execute(f"DELETE FROM {rows.split()[0]} WHERE rowid IN (SELECT rowid FROM {rows} LIMIT ?)",
                                  [arg, limit]).rowcount
            counts[name] += done
            size = _next_size(size, time.perf_counter() - started, batch_seconds)
            if done < limit:
                break
            time.sleep(pause)
    erase.checkpoint(db, wait_ms=5000)  # and no older page image stays in the -wal file
    return counts


def _next_size(size: int, seconds: float, target: float) -> int:
    """Halve a batch that took longer than the target, grow one that took under half of it."""
    if seconds > target:
        return max(MIN_BATCH, size // 2)
    if seconds < target / 2:
        return min(MAX_BATCH, size * 2)
    return size
