"""Purge and forget: what leaves the database, when, and the audit line that says so."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from store import audit, clock, maintenance, reporters

log = logging.getLogger("vigie.retention")
PURGE_EVERY = timedelta(days=1)
ACTOR = "system:retention"  # who the audit log names for a purge


def purge(db: Database, retention_days: int, when: datetime | None = None) -> dict[str, int]:
    """Delete what is older than `retention_days` at once; counts per table, audited."""
    job = maintenance.Purge(retention_days, when or clock.now())
    job.run(db)
    _audit(db, job)
    return job.counts


class Daily:
    """The worker's daily purge, run a slice at a time so that the outbox is sent between slices."""

    def __init__(self, retention_days: int) -> None:
        self.retention_days = retention_days
        self.running: maintenance.Purge | None = None

    def step(self, db: Database, when: datetime | None = None, budget: float | None = None) -> dict[str, int] | None:
        """Start the purge when the last one is a day old (remembered in `meta`) and work on it for about `budget`
        seconds (to the end without one); its counts once it has finished, None while not due or unfinished."""
        moment = when or clock.now()
        if self.running is None:
            row = db.execute("SELECT value FROM meta WHERE key = 'last_purge_at'").fetchone()
            if row and clock.parse(row[0]) > moment - PURGE_EVERY:
                return None
            self.running = maintenance.Purge(self.retention_days, moment)
        job = self.running
        if not job.run(db, budget):
            return None
        self.running = None
        with db.atomic():
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_purge_at', ?)", [clock.iso(job.when)])
        _audit(db, job)
        return job.counts


def _audit(db: Database, job: maintenance.Purge) -> None:
    """One audit line per purge: how much went (counts only, nothing about whom) and how it shared the lock."""
    detail = {**job.counts, "retention_days": job.retention_days, "batches": job.batches,
              "longest_batch_ms": round(job.longest * 1000)}
    audit.record(db, ACTOR, "purge", json.dumps(detail))
    log.info("retention purge: %s", detail)


def forget(db: Database, pseudonym: str) -> dict[str, int]:
    """A reporter's OUBLI: everything stored about them deleted, the counts audited under their pseudonym."""
    counts = reporters.forget(db, pseudonym)
    audit.record(db, f"reporter:{pseudonym[:12]}", "forget", json.dumps(counts))
    return counts
