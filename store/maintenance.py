"""Backup (SQLite online backup) and retention purge."""
from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
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


# The purge deletes in batches, each its own short write transaction, so that webhooks, the desk and the outbox wait
# at most one batch for the write lock. A batch is bounded in time, not in count: its size is what the last batch's
# rate says fits in BATCH_SECONDS (a batch that overshot makes the next one smaller at once; growth is gradual,
# since a few cases can weigh much more than the average: large campaigns to recount, indicators to drop).
BATCH_SECONDS = 0.04
# Between batches the lock is left free this long. A writer waiting for it is asleep in SQLite's busy handler, which
# retries 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms apart: one that began waiting during a batch of under
# 100 ms retries within 25 ms of its end, so a 60 ms gap lets it in, where an immediate re-take starved a webhook for
# 1.9 s (measured at 40,000 cases).
PAUSE_SECONDS = 0.06
FIRST_BATCH, MIN_BATCH, MAX_BATCH, GROWTH = 50, 10, 2000, 1.25
# A batch writes at most about this many pages to the WAL. A writer whose commit leaves 1,000 or more there copies
# them into the database itself (SQLite's automatic checkpoint) before it returns: a webhook that got the lock between
# a large batch and the purge's own copy of it waited 300-400 ms for that copy (measured at 1,000,000 cases).
FRAMES = 500
# The purge's page cache while it runs (KiB): recounting a batch's campaigns walks index pages all over the file, and
# SQLite's default 2 MB cache made each batch read them again (measured at 1,000,000 cases: 0.7 ms a case, 0.33 ms).
CACHE_KIB = 65536
TABLES = (  # after the cases: (table, rows to delete, which moment the bound is taken from)
    ("inbound", "received_at < ?", "cutoff"),
    ("outbox", "created_at < ?", "cutoff"),
    ("conversation", "expires_at <= ?", "stamp"),
    ("seen_tokens", "seen_at < ?", "day"),
    ("reporters", "last_seen_at < ? AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.reporter = reporters.pseudonym)",
     "cutoff"),
)


@dataclass
class Purge:
    """One retention purge, which can run in slices: `run(db, budget)` works for about `budget` seconds and says
    whether it has finished, so the worker sends the outbox between slices. Cases go oldest first, a batch at a
    time, each with what derives only from it (texts, unconfirmed indicators, notices, counts) in the same
    transaction: a failure leaves every batch either whole or untouched."""

    retention_days: int
    when: datetime = field(default_factory=clock.now)
    batch_seconds: float = BATCH_SECONDS
    pause: float = PAUSE_SECONDS
    counts: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    longest: float = 0.0  # the longest time one batch held the write lock, in seconds
    stage: int = 0  # 0: cases, then TABLES in order, then the final checkpoint
    size: int = FIRST_BATCH
    campaign: int | None = 0  # where the walk of old cases by campaign is; None once it is over
    _ended: float = 0.0  # when the last batch committed (perf_counter)
    _items: int = 0  # cases (or tens of rows) the last batch deleted

    @property
    def done(self) -> bool:
        return self.stage == len(TABLES) + 2

    def run(self, db: Database, budget: float | None = None) -> bool:
        """Work until finished, or until `budget` seconds have passed (a batch is never cut); True when finished."""
        ends = None if budget is None else time.perf_counter() + budget
        erase.scrubbing(db)  # what the purge deletes is zeroed in the file, not only unlinked
        automatic = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        cache = db.execute("PRAGMA cache_size").fetchone()[0]
        db.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL is copied between batches, not in a batch's commit
        db.execute(f"PRAGMA cache_size = {-max(CACHE_KIB, -cache if cache < 0 else 0)}")
        try:
            while self.stage <= len(TABLES):
                if self.batches and self.pause:  # the lock stays free `pause` seconds after a batch
                    time.sleep(max(0.0, self.pause - (time.perf_counter() - self._ended)))
                finished = self._cases(db) if self.stage == 0 else self._rows(db, *TABLES[self.stage - 1])
                self.stage += finished
                self._ended = time.perf_counter()
                frames = _copy_wal(db)
                if frames > FRAMES:  # fewer cases next time, whatever the clock says
                    self.size = min(self.size, max(MIN_BATCH, self._items * FRAMES // frames))
                if ends is not None and time.perf_counter() >= ends and self.stage <= len(TABLES):
                    return False
        finally:
            db.execute(f"PRAGMA wal_autocheckpoint = {int(automatic)}")
            db.execute(f"PRAGMA cache_size = {int(cache)}")
        if self.stage == len(TABLES) + 1:
            erase.checkpoint(db)  # and no older page image stays in the -wal file
            self.stage += 1
        return True

    def _cases(self, db: Database) -> bool:
        """One batch of old cases: campaign by campaign first, so that a campaign is recounted once for all its old
        cases rather than once a batch (at 1,000,000 cases in 100,000 campaigns, oldest first recounted a campaign
        for nearly every case), then the cases no campaign holds, oldest first."""
        cutoff = clock.ago(self.when, days=self.retention_days)
        with immediate(db):
            started = time.perf_counter()
            if self.campaign is not None:
                rows = db.execute("SELECT id, campaign_id FROM cases WHERE campaign_id >= ? AND received_at < ?"
                                  " ORDER BY campaign_id LIMIT ?", [self.campaign, cutoff, self.size]).fetchall()
            else:
                rows = db.execute("SELECT id, NULL FROM cases WHERE received_at < ? ORDER BY received_at LIMIT ?",
                                  [cutoff, self.size]).fetchall()
            for name, n in erase.erase_cases(db, [r[0] for r in rows], keep_confirmed=True).items():
                self.counts[name] = self.counts.get(name, 0) + n
        finished = len(rows) < self.size and self.campaign is None
        if self.campaign is not None:  # the next batch starts at the last campaign, which may have more
            self.campaign = rows[-1][1] if len(rows) == self.size else None
        self._measured(started, len(rows))
        return finished

    def _rows(self, db: Database, table: str, where: str, bound: str) -> bool:
        arg = {"cutoff": clock.ago(self.when, days=self.retention_days), "stamp": clock.iso(self.when),
               "day": clock.ago(self.when, days=1)}[bound]
        limit = self.size * 10  # rows of these tables are small: ten per case
        with immediate(db):
            started = time.perf_counter()
            done = db.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT ?)",
                              [arg, limit]).rowcount
        self.counts[table] = self.counts.get(table, 0) + done
        self._measured(started, max(done // 10, 1))
        return done < limit

    def _measured(self, started: float, items: int) -> None:
        """The lock was held from `started` to now (commit included): size the next batch to fit the budget."""
        held = time.perf_counter() - started
        self._items = items
        self.batches += 1
        self.longest = max(self.longest, held)
        fits = int(self.batch_seconds * max(items, 1) / held) if held > 0 else MAX_BATCH
        self.size = max(MIN_BATCH, min(MAX_BATCH, fits, int(self.size * GROWTH) + 1))


def _copy_wal(db: Database) -> int:
    """Copy what a batch wrote from the WAL into the database (a PASSIVE checkpoint waits for no one and blocks no
    writer), so that the WAL stays short and no webhook's commit finds a long one to checkpoint itself; how many
    pages the WAL held."""
    try:
        return int(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    except sqlite3.OperationalError:
        return 0  # busy: the next batch's copy takes it


def purge(db: Database, retention_days: int, when: datetime | None = None,
          batch_seconds: float = BATCH_SECONDS, pause: float = PAUSE_SECONDS) -> dict[str, int]:
    """Delete what is older than the retention period, and expired conversations, all at once; return counts."""
    job = Purge(retention_days, when or clock.now(), batch_seconds, pause)
    job.run(db)
    return job.counts
