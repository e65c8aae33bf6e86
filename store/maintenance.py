"""Backup (SQLite online backup) and retention purge."""
from __future__ import annotations

import os
import sqlite3
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


def purge(db: Database, retention_days: int, when: datetime | None = None) -> dict[str, int]:
    """Delete what is older than the retention period, and expired conversations; return counts."""
    moment = when or clock.now()
    cutoff, stamp = clock.ago(moment, days=retention_days), clock.iso(moment)
    steps = (
        ("inbound", "DELETE FROM inbound WHERE received_at < ?", cutoff),
        ("outbox", "DELETE FROM outbox WHERE created_at < ?", cutoff),
        ("conversation", "DELETE FROM conversation WHERE expires_at <= ?", stamp),
        ("seen_tokens", "DELETE FROM seen_tokens WHERE seen_at < ?", clock.ago(moment, days=1)),
        ("reporters", "DELETE FROM reporters WHERE last_seen_at < ? AND pseudonym NOT IN"
                      " (SELECT reporter FROM cases WHERE reporter IS NOT NULL)", cutoff),
    )
    erase.scrubbing(db)  # what the purge deletes is zeroed in the file, not only unlinked
    with immediate(db):
        # The cases first, with what derives only from them (texts, indicators, notices, counts).
        old = [r[0] for r in db.execute("SELECT id FROM cases WHERE received_at < ?", [cutoff])]
        counts = erase.erase_cases(db, old)
        for name, sql, arg in steps:
            counts[name] = counts.get(name, 0) + db.execute(sql, [arg]).rowcount
    erase.checkpoint(db, wait_ms=5000)  # and no older page image stays in the -wal file
    return counts
